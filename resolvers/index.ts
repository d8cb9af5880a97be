/** Every resolver, one file per schema type. */
import { DateTimeResolver } from 'graphql-scalars';
import type { Resolvers } from '../src/generated/graphql';
import { CreateServerlessCacheSnapshotResult } from './CreateServerlessCacheSnapshotResult';
import { Fault } from './Fault';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { ServerlessCacheConfiguration } from './ServerlessCacheConfiguration';
import { ServerlessCacheSnapshot } from './ServerlessCacheSnapshot';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query,
  Mutation,
  CreateServerlessCacheSnapshotResult,
  Fault,
  ServerlessCacheSnapshot,
  ServerlessCacheConfiguration,
};
