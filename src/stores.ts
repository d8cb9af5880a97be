/**
 * The stores that must agree across gateway replicas (rate-limit buckets, idempotency records, who
 * polls a watched snapshot), from one place: in this process's memory without `REDIS_URL`, in
 * Redis with it. The rest of the gateway sees the interfaces only.
 */
import type { GatewayConfig } from './config';
import { MemoryIdempotencyRecords, type IdempotencyRecords } from './idempotency/records';
import { MemoryTokenBucketStore, type TokenBucketStore } from './limits/token-buckets';
import type { Logger } from './logger';
import type { GatewayMetrics } from './observability/metrics';
import type { DependencyCheck } from './readiness';
import { connectRedis } from './redis/client';
import { RedisIdempotencyRecords } from './redis/idempotency-records';
import { RedisPollElection } from './redis/snapshot-poll-election';
import { RedisTokenBucketStore } from './redis/token-buckets';
import { localPollElection, type PollElection } from './snapshots/poll-election';

export interface SharedStores {
  rateLimits: TokenBucketStore;
  idempotencyRecords: IdempotencyRecords<unknown>;
  pollElection: PollElection;
  /** What /ready checks besides AWS: the shared store, when there is one. */
  readinessChecks: DependencyCheck[];
  close(): Promise<void>;
}

export async function createSharedStores(config: GatewayConfig, logger: Logger, metrics: GatewayMetrics): Promise<SharedStores> {
  if (config.redis === undefined) {
    const rateLimits = new MemoryTokenBucketStore();
    return {
      rateLimits,
      idempotencyRecords: new MemoryIdempotencyRecords<unknown>({ maxRecords: config.idempotency.maxRecords }),
      pollElection: localPollElection,
      readinessChecks: [],
      close: () => {
        rateLimits.close();
        return Promise.resolve();
      },
    };
  }
  const redis = await connectRedis(config.redis, logger);
  return {
    rateLimits: new RedisTokenBucketStore(redis, () => metrics.recordStoreFailure('rate-limit')),
    idempotencyRecords: new RedisIdempotencyRecords<unknown>(redis, () => metrics.recordStoreFailure('idempotency')),
    pollElection: new RedisPollElection(redis, config.subscriptions, logger, { onFailure: () => metrics.recordStoreFailure('snapshot-status') }),
    readinessChecks: [{ name: 'redis', check: () => redis.ping(config.lifecycle.readyCheckTimeoutMs) }],
    close: () => redis.close(),
  };
}
