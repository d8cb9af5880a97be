import type { CreateServerlessCacheSnapshotResultResolvers } from '../src/generated/graphql';

export const CreateServerlessCacheSnapshotResult: CreateServerlessCacheSnapshotResultResolvers = {
  __resolveType: (result) => result.__typename,
};
