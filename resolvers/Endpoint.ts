import type { EndpointResolvers } from '../src/generated/graphql';

export const Endpoint: EndpointResolvers = {
  address: (e) => e.Address ?? null,
  port: (e) => e.Port ?? null,
};
