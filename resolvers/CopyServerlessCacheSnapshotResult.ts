import type { CopyServerlessCacheSnapshotResultResolvers } from '../src/generated/graphql';

export const CopyServerlessCacheSnapshotResult: CopyServerlessCacheSnapshotResultResolvers = {
  __resolveType: (result) => result.__typename,
};
