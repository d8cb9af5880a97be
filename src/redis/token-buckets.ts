/**
 * Token buckets in Redis, shared by every replica: a caller's limit is the configured total however
 * the load balancer spreads its requests. One Lua script takes every charge or none, atomically.
 *
 * Time is Redis's (`TIME` inside the script), not the caller's `nowMs`: the replicas' clocks may
 * differ by more than the time one token takes to come back, and a bucket refilled by several
 * clocks would gain tokens from the fastest one. One clock, the store's, decides for all.
 *
 * A bucket is a hash (tokens, last update); it expires when it would be full again, since a
 * missing bucket reads as full, so Redis holds only the buckets of recent callers.
 */
import type { Redis } from 'ioredis';
import type { Charge, TakeResult, TokenBucketStore } from '../limits/token-buckets';
import { storeCommand, type RedisConnections } from './client';

// KEYS: one bucket per charge. ARGV: per charge, tokens, capacity and refill per ms.
// Returns -1 when taken, otherwise the milliseconds until every bucket has enough.
const TAKE_ALL = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local available = {}
local wait = 0
local short = false
for i, key in ipairs(KEYS) do
  local tokens = tonumber(ARGV[i * 3 - 2])
  local capacity = tonumber(ARGV[i * 3 - 1])
  local refill = tonumber(ARGV[i * 3])
  local bucket = redis.call('HMGET', key, 'tokens', 'updated')
  local have = capacity
  if bucket[1] then
    have = math.min(capacity, tonumber(bucket[1]) + math.max(0, now - tonumber(bucket[2])) * refill)
  end
  available[i] = have
  if have < tokens then
    short = true
    wait = math.max(wait, math.ceil((math.min(tokens, capacity) - have) / refill))
  end
end
if short then return math.max(wait, 1) end
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[i * 3 - 1])
  local refill = tonumber(ARGV[i * 3])
  local left = available[i] - tonumber(ARGV[i * 3 - 2])
  redis.call('HSET', key, 'tokens', tostring(left), 'updated', tostring(now))
  redis.call('PEXPIRE', key, math.max(1, math.ceil((capacity - left) / refill)))
end
return -1
`;

interface BucketCommands {
  takeAllBuckets(...args: (string | number)[]): Promise<number>;
}

export class RedisTokenBucketStore implements TokenBucketStore {
  private readonly redis: Redis & BucketCommands;

  constructor(
    private readonly connections: RedisConnections,
    /** Told of each call Redis did not answer. */
    private readonly onFailure: () => void = () => undefined,
  ) {
    connections.commands.defineCommand('takeAllBuckets', { lua: TAKE_ALL });
    this.redis = connections.commands as Redis & BucketCommands;
  }

  /** `nowMs` is not used: Redis's clock decides (see above). Rejects with `StoreUnavailableError`. */
  async takeAll(charges: readonly Charge[], _nowMs: number): Promise<TakeResult> {
    const keys = charges.map(({ key }) => this.connections.key(`bucket:${key}`));
    const args = charges.flatMap(({ tokens, shape }) => [tokens, shape.capacity, shape.refillPerMs]);
    const waitMs = await storeCommand('rate-limit', this.onFailure, () => this.redis.takeAllBuckets(keys.length, ...keys, ...args));
    return waitMs < 0 ? { taken: true } : { taken: false, retryAfterMs: waitMs };
  }

  close(): void {
    // The connections are the factory's to close.
  }
}
