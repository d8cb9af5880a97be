import type { DeleteServerlessCacheSnapshotResultResolvers } from '../src/generated/graphql';

export const DeleteServerlessCacheSnapshotResult: DeleteServerlessCacheSnapshotResultResolvers = {
  __resolveType: (result) => result.__typename,
};
