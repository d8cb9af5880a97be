import type { ServerlessCacheConfigurationResolvers } from '../src/generated/graphql';

export const ServerlessCacheConfiguration: ServerlessCacheConfigurationResolvers = {
  serverlessCacheName: (c) => c.ServerlessCacheName ?? null,
  engine: (c) => c.Engine ?? null,
  majorEngineVersion: (c) => c.MajorEngineVersion ?? null,
};
