import type { CacheUsageLimitsResolvers, DataStorageLimitResolvers, EcpuPerSecondLimitResolvers } from '../src/generated/graphql';

export const CacheUsageLimits: CacheUsageLimitsResolvers = {
  dataStorage: (l) => l.DataStorage ?? null,
  ecpuPerSecond: (l) => l.ECPUPerSecond ?? null,
};

export const DataStorageLimit: DataStorageLimitResolvers = {
  maximum: (d) => d.Maximum ?? null,
  minimum: (d) => d.Minimum ?? null,
  unit: (d) => d.Unit ?? null,
};

export const ECPUPerSecondLimit: EcpuPerSecondLimitResolvers = {
  maximum: (e) => e.Maximum ?? null,
  minimum: (e) => e.Minimum ?? null,
};
