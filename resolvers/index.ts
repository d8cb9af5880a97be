/** Every resolver, one file per schema type. */
import { DateTimeResolver } from 'graphql-scalars';
import type { Resolvers } from '../src/generated/graphql';
import { CacheUsageLimits, DataStorageLimit, ECPUPerSecondLimit } from './CacheUsageLimits';
import { CopyServerlessCacheSnapshotResult } from './CopyServerlessCacheSnapshotResult';
import { CreateServerlessCacheSnapshotResult } from './CreateServerlessCacheSnapshotResult';
import { DeleteServerlessCacheSnapshotResult } from './DeleteServerlessCacheSnapshotResult';
import { ExportServerlessCacheSnapshotResult } from './ExportServerlessCacheSnapshotResult';
import { Endpoint } from './Endpoint';
import { Fault } from './Fault';
import { Mutation } from './Mutation';
import { Node } from './Node';
import { Query } from './Query';
import { ServerlessCache } from './ServerlessCache';
import { ServerlessCacheConfiguration } from './ServerlessCacheConfiguration';
import { ServerlessCacheSnapshot } from './ServerlessCacheSnapshot';
import { RestoreServerlessCacheFromSnapshotResult } from './RestoreServerlessCacheFromSnapshotResult';
import { Subscription } from './Subscription';
import { TagServerlessCacheSnapshotResult } from './TagServerlessCacheSnapshotResult';
import { UntagServerlessCacheSnapshotResult } from './UntagServerlessCacheSnapshotResult';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query,
  Mutation,
  Subscription,
  CreateServerlessCacheSnapshotResult,
  CopyServerlessCacheSnapshotResult,
  DeleteServerlessCacheSnapshotResult,
  ExportServerlessCacheSnapshotResult,
  TagServerlessCacheSnapshotResult,
  UntagServerlessCacheSnapshotResult,
  RestoreServerlessCacheFromSnapshotResult,
  Fault,
  Node,
  ServerlessCacheSnapshot,
  ServerlessCacheConfiguration,
  ServerlessCache,
  CacheUsageLimits,
  DataStorageLimit,
  ECPUPerSecondLimit,
  Endpoint,
};
