import type { MutationResolvers } from '../src/generated/graphql';

export const Mutation: MutationResolvers = {
  createServerlessCacheSnapshot: (_parent, { input }, { snapshots }) => snapshots.create(input),
};
