import type { ServerlessCacheSnapshotResolvers } from '../src/generated/graphql';
import { present } from './present';

/** Maps the SDK's `ServerlessCacheSnapshot` shape onto the schema's field names. */
export const ServerlessCacheSnapshot: ServerlessCacheSnapshotResolvers = {
  id: (s) => present(s.ARN, 'ARN'),
  serverlessCacheSnapshotName: (s) => present(s.ServerlessCacheSnapshotName, 'ServerlessCacheSnapshotName'),
  arn: (s) => present(s.ARN, 'ARN'),
  kmsKeyId: (s) => s.KmsKeyId ?? null,
  snapshotType: (s) => s.SnapshotType ?? null,
  status: (s) => s.Status ?? null,
  createTime: (s) => s.CreateTime ?? null,
  expiryTime: (s) => s.ExpiryTime ?? null,
  bytesUsedForCache: (s) => s.BytesUsedForCache ?? null,
  serverlessCacheConfiguration: (s) => s.ServerlessCacheConfiguration ?? null,
  serverlessCache: (s, _args, { caches }) => {
    const name = s.ServerlessCacheConfiguration?.ServerlessCacheName;
    return name === undefined ? null : caches.byName(name);
  },
  tags: (s, _args, { snapshots }) => snapshots.tagsOf(s),
};
