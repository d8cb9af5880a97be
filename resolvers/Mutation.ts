import type { MutationResolvers } from '../src/generated/graphql';

export const Mutation: MutationResolvers = {
  createServerlessCacheSnapshot: (_parent, { input }, { snapshots }) => snapshots.create(input),
  copyServerlessCacheSnapshot: (_parent, { input }, { lifecycle }) => lifecycle.copy(input),
  deleteServerlessCacheSnapshot: (_parent, { input }, { lifecycle }) => lifecycle.delete(input.serverlessCacheSnapshotName),
  exportServerlessCacheSnapshot: (_parent, { input }, { lifecycle }) => lifecycle.export(input),
  tagServerlessCacheSnapshot: (_parent, { input }, { lifecycle }) => lifecycle.tag(input),
  untagServerlessCacheSnapshot: (_parent, { input }, { lifecycle }) => lifecycle.untag(input),
  restoreServerlessCacheFromSnapshot: (_parent, { input }, { restores }) => restores.restore(input),
};
