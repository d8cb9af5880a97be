import type { ServerlessCacheResolvers } from '../src/generated/graphql';
import { present } from './present';

/** Maps the SDK's `ServerlessCache` shape onto the schema's field names. */
export const ServerlessCache: ServerlessCacheResolvers = {
  id: (c) => present(c.ARN, 'ARN'),
  serverlessCacheName: (c) => present(c.ServerlessCacheName, 'ServerlessCacheName'),
  arn: (c) => present(c.ARN, 'ARN'),
  description: (c) => c.Description ?? null,
  status: (c) => c.Status ?? null,
  createTime: (c) => c.CreateTime ?? null,
  engine: (c) => c.Engine ?? null,
  majorEngineVersion: (c) => c.MajorEngineVersion ?? null,
  fullEngineVersion: (c) => c.FullEngineVersion ?? null,
  cacheUsageLimits: (c) => c.CacheUsageLimits ?? null,
  endpoint: (c) => c.Endpoint ?? null,
  readerEndpoint: (c) => c.ReaderEndpoint ?? null,
  kmsKeyId: (c) => c.KmsKeyId ?? null,
  storageEncryptionType: (c) => c.StorageEncryptionType ?? null,
  securityGroupIds: (c) => c.SecurityGroupIds ?? [],
  subnetIds: (c) => c.SubnetIds ?? [],
  userGroupId: (c) => c.UserGroupId ?? null,
  snapshotRetentionLimit: (c) => c.SnapshotRetentionLimit ?? null,
  dailySnapshotTime: (c) => c.DailySnapshotTime ?? null,
  networkType: (c) => c.NetworkType ?? null,
  snapshots: (c, { snapshotType, ...page }, { snapshots }) =>
    snapshots.list({ serverlessCacheName: present(c.ServerlessCacheName, 'ServerlessCacheName'), snapshotType }, page),
};
