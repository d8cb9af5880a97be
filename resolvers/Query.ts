import { parseElastiCacheArn } from '../src/elasticache/arn';
import type { QueryResolvers } from '../src/generated/graphql';

export const Query: QueryResolvers = {
  node: async (_parent, { id }, { snapshots, caches }) => {
    const resource = parseElastiCacheArn(id);
    if (resource === null) return null;
    if (resource.resourceType === 'serverlesscache') {
      const cache = await caches.byName(resource.name);
      // The same name in another account or region is another cache.
      return cache?.ARN === id ? { ...cache, __typename: 'ServerlessCache' as const } : null;
    }
    const snapshot = await snapshots.byName(resource.name);
    return snapshot?.ARN === id ? { ...snapshot, __typename: 'ServerlessCacheSnapshot' as const } : null;
  },
  serverlessCache: (_parent, { name }, { caches }) => caches.byName(name),
  serverlessCaches: (_parent, page, { caches }) => caches.list(page),
  serverlessCacheSnapshot: (_parent, { name }, { snapshots }) => snapshots.byName(name),
  serverlessCacheSnapshots: (_parent, { serverlessCacheName, snapshotType, ...page }, { snapshots }) =>
    snapshots.list({ serverlessCacheName, snapshotType }, page),
};
