import type { NodeResolvers } from '../src/generated/graphql';

export const Node: NodeResolvers = {
  __resolveType: (node) => node.__typename,
};
