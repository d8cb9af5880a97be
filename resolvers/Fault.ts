import type { FaultResolvers } from '../src/generated/graphql';

export const Fault: FaultResolvers = {
  __resolveType: (fault) => fault.__typename,
};
