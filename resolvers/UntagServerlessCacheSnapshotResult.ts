import type { UntagServerlessCacheSnapshotResultResolvers } from '../src/generated/graphql';

export const UntagServerlessCacheSnapshotResult: UntagServerlessCacheSnapshotResultResolvers = {
  __resolveType: (result) => result.__typename,
};
