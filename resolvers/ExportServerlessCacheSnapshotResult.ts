import type { ExportServerlessCacheSnapshotResultResolvers } from '../src/generated/graphql';

export const ExportServerlessCacheSnapshotResult: ExportServerlessCacheSnapshotResultResolvers = {
  __resolveType: (result) => result.__typename,
};
