import type { QueryResolvers } from '../src/generated/graphql';

export const Query: QueryResolvers = {
  serverlessCacheSnapshot: (_parent, { name }, { loaders }) => loaders.snapshotByName.load(name),
};
