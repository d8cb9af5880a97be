/**
 * Idempotency records in Redis, shared by every replica: a retry that lands on another replica
 * finds the first call's record. Each protocol step (claim, settle, release) is one Lua script.
 *
 * A record is a hash (fingerprint, first call's time, answer) that lives 24 h from its first use;
 * a call in flight holds a separate lease key with its own expiry (`SET … PX`), so a replica that
 * dies mid-call leaves a lease Redis itself ends, and the next claim reconciles as in one process.
 * Lease expiry is Redis's clock; `now` is only kept as the first call's time, the moment the
 * action's AWS side is compared against (the caller's clock, as in one process).
 *
 * A duplicate waiting for a call in flight is told it ended by a message on the key's channel,
 * published by the script that ends the lease; in case that message is missed (the subscriber
 * reconnecting), it also looks at the lease every half second, and stops waiting when the lease
 * is gone or Redis cannot be reached (its next claim then says so).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { IDEMPOTENCY_RECORD_TTL_MS, type Claim, type IdempotencyRecords } from '../idempotency/records';
import { storeCommand, type RedisConnections } from './client';
import { decodeJson, encodeJson } from './json';

// KEYS: record, lease. ARGV: fingerprint, now, lease ms, lease token, record ttl ms.
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'firstCallAt', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
  return {'claimed'}
end
local record = redis.call('HMGET', KEYS[1], 'fingerprint', 'answer', 'firstCallAt')
if record[1] ~= ARGV[1] then return {'mismatch'} end
if record[2] then return {'answered', record[2]} end
local pttl = redis.call('PTTL', KEYS[2])
if pttl > 0 then return {'in-flight', tostring(pttl)} end
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
return {'claimed', record[3]}
`;

// KEYS: record, lease. ARGV: lease token, answer ('' to release without one), channel.
const END_CLAIM = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
if ARGV[2] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'answer', ARGV[2]) end
redis.call('PUBLISH', ARGV[3], 'ended')
return 1
`;

interface RecordCommands {
  claimIdempotencyKey(record: string, lease: string, fingerprint: string, now: number, leaseMs: number, token: string, ttlMs: number): Promise<string[]>;
  endIdempotencyClaim(record: string, lease: string, token: string, answer: string, channel: string): Promise<number>;
}

/** How often a waiting duplicate looks at the lease, in case the message that it ended was missed. */
const WAIT_CHECK_MS = 500;

export class RedisIdempotencyRecords<Answer> implements IdempotencyRecords<Answer> {
  private readonly redis: Redis & RecordCommands;

  constructor(
    private readonly connections: RedisConnections,
    /** Told of each call Redis did not answer. */
    private readonly onFailure: () => void = () => undefined,
    private readonly ttlMs = IDEMPOTENCY_RECORD_TTL_MS,
  ) {
    connections.commands.defineCommand('claimIdempotencyKey', { numberOfKeys: 2, lua: CLAIM });
    connections.commands.defineCommand('endIdempotencyClaim', { numberOfKeys: 2, lua: END_CLAIM });
    this.redis = connections.commands as Redis & RecordCommands;
  }

  async claim(key: string, fingerprint: string, now: number, leaseMs: number): Promise<Claim<Answer>> {
    const names = this.names(key);
    const token = randomUUID();
    const [status, detail] = await storeCommand('idempotency', this.onFailure, () =>
      this.redis.claimIdempotencyKey(names.record, names.lease, fingerprint, now, leaseMs, token, this.ttlMs),
    );
    switch (status) {
      case 'claimed':
        return detail === undefined ? { status: 'claimed', lease: token } : { status: 'claimed', lease: token, unsettledSince: Number(detail) };
      case 'answered':
        return { status: 'answered', answer: decodeJson<Answer>(detail ?? 'null') };
      case 'in-flight':
        return { status: 'in-flight', settled: this.ended(names, Number(detail)) };
      default:
        return { status: 'mismatch' };
    }
  }

  settle(key: string, lease: string, answer: Answer): Promise<void> {
    return this.endClaim(key, lease, encodeJson(answer));
  }

  release(key: string, lease: string): Promise<void> {
    return this.endClaim(key, lease, '');
  }

  private async endClaim(key: string, lease: string, answer: string): Promise<void> {
    const names = this.names(key);
    await storeCommand('idempotency', this.onFailure, () => this.redis.endIdempotencyClaim(names.record, names.lease, lease, answer, names.channel));
  }

  /**
   * Keys are hashed: bounded length whatever the client's key, no principal id in Redis, and one
   * hash tag so that a Redis Cluster would keep a record and its lease in one slot.
   */
  private names(key: string): { record: string; lease: string; channel: string } {
    const record = this.connections.key(`idempotency:{${createHash('sha256').update(key).digest('base64url')}}`);
    return { record, lease: `${record}:lease`, channel: `${record}:ended` };
  }

  /** Resolves when the claim in flight ends: its message, its lease gone or expired, or Redis unreachable. */
  private ended(names: { lease: string; channel: string }, leaseLeftMs: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearInterval(check);
        clearTimeout(expiry);
        this.connections.channels.unlisten(names.channel, finish);
        resolve();
      };
      const look = () => {
        this.redis.exists(names.lease).then((held) => {
          if (held === 0) finish();
        }, finish);
      };
      // Unreferenced: a waiting request keeps the process alive, not its timers.
      const check = setInterval(look, WAIT_CHECK_MS).unref();
      // The lease cannot outlive this: leases are never extended.
      const expiry = setTimeout(finish, leaseLeftMs + 10).unref();
      // The claim may have ended between the script and the subscription: look once subscribed.
      // Without the subscription, the looks every half second still end the wait (a claim again at
      // once would only find the same call in flight).
      this.connections.channels.listen(names.channel, finish).then(look, look);
    });
  }
}
