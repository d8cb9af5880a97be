import type { TagServerlessCacheSnapshotResultResolvers } from '../src/generated/graphql';

export const TagServerlessCacheSnapshotResult: TagServerlessCacheSnapshotResultResolvers = {
  __resolveType: (result) => result.__typename,
};
