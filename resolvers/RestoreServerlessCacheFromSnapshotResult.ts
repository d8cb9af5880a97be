import type { RestoreServerlessCacheFromSnapshotResultResolvers } from '../src/generated/graphql';

export const RestoreServerlessCacheFromSnapshotResult: RestoreServerlessCacheFromSnapshotResultResolvers = {
  __resolveType: (result) => result.__typename,
};
