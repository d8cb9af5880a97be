/**
 * The Redis stores against a real Redis, each test with two "replicas" (two connections, as two
 * processes would have): what one does, the other sees.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnavailableError } from '../../src/errors';
import type { Claim } from '../../src/idempotency/records';
import { perMinute } from '../../src/limits/token-buckets';
import { createLogger } from '../../src/logger';
import { connectRedis, type RedisConnections } from '../../src/redis/client';
import { RedisIdempotencyRecords } from '../../src/redis/idempotency-records';
import { RedisTokenBucketStore } from '../../src/redis/token-buckets';
import { deleteKeys, describeWithRedis, freePort, REDIS_URL, uniquePrefix } from '../support/redis';

const prefix = uniquePrefix('stores');
const logger = createLogger('silent');
const connect = (url = REDIS_URL) => connectRedis({ url, keyPrefix: prefix, connectTimeoutMs: 500, commandTimeoutMs: 500 }, logger);

describeWithRedis({ sharedRedis: true })('Redis stores', () => {
  let a: RedisConnections;
  let b: RedisConnections;

  beforeAll(async () => {
    [a, b] = await Promise.all([connect(), connect()]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await deleteKeys(REDIS_URL, prefix);
  });

  describe('token buckets', () => {
    const THREE_A_MINUTE = perMinute(3);

    it('counts one bucket for every replica, takes all charges or none, and says when to retry', async () => {
      const [onA, onB] = [new RedisTokenBucketStore(a), new RedisTokenBucketStore(b)];
      const charge = (key: string, tokens: number) => ({ key, tokens, shape: THREE_A_MINUTE });
      expect(await onA.takeAll([charge('m:alice', 2)], 0)).toEqual({ taken: true });
      // One left: a document needing one from each of two buckets, the other bucket full.
      const refused = await onB.takeAll([charge('m:alice', 2), charge('r:alice', 1)], 0);
      expect(refused).toEqual({ taken: false, retryAfterMs: expect.any(Number) });
      // One token comes back every 20 s: the missing one, from a bucket just drawn.
      if (!refused.taken) expect(refused.retryAfterMs).toBeGreaterThan(19_000);
      // The refusal took nothing from the other bucket either.
      expect(await onB.takeAll([charge('m:alice', 1), charge('r:alice', 3)], 0)).toEqual({ taken: true });
      expect(await onA.takeAll([charge('r:alice', 1)], 0)).toEqual({ taken: false, retryAfterMs: expect.any(Number) });
      // Another caller's bucket is its own.
      expect(await onA.takeAll([charge('m:bob', 3)], 0)).toEqual({ taken: true });
    });

    it('lets a bucket expire once it would be full again, so Redis keeps recent callers only', async () => {
      const store = new RedisTokenBucketStore(a);
      await store.takeAll([{ key: 'm:carol', tokens: 1, shape: perMinute(60) }], 0);
      const ttl = await a.commands.pttl(`${prefix}bucket:m:carol`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1_000);
    });
  });

  describe('idempotency records', () => {
    const snapshot = { ServerlessCacheSnapshotName: 's1', Status: 'creating', CreateTime: new Date('2026-11-30T00:00:00.000Z') };

    it('lets one replica claim a key; the other waits, is woken when it is settled, and reads the same answer', async () => {
      const [onA, onB] = [new RedisIdempotencyRecords<unknown>(a), new RedisIdempotencyRecords<unknown>(b)];
      const first = await onA.claim('k1', 'input-1', 1_000, 30_000);
      expect(first).toEqual({ status: 'claimed', lease: expect.any(String) });
      const duplicate = await onB.claim('k1', 'input-1', 1_001, 30_000);
      expect(duplicate.status).toBe('in-flight');
      let woken = false;
      void (duplicate as Extract<Claim<unknown>, { status: 'in-flight' }>).settled.then(() => (woken = true));
      await sleep(50);
      expect(woken).toBe(false);
      await onA.settle('k1', (first as { lease: string }).lease, { result: snapshot });
      await (duplicate as Extract<Claim<unknown>, { status: 'in-flight' }>).settled;
      const replay = await onB.claim('k1', 'input-1', 1_002, 30_000);
      expect(replay).toEqual({ status: 'answered', answer: { result: snapshot } });
      expect(await onB.claim('k1', 'other input', 1_003, 30_000)).toEqual({ status: 'mismatch' });
    });

    it('after a release, the next claim is told when the first call began; a stale lease changes nothing', async () => {
      const [onA, onB] = [new RedisIdempotencyRecords<unknown>(a), new RedisIdempotencyRecords<unknown>(b)];
      const first = (await onA.claim('k2', 'input', 5_000, 30_000)) as { lease: string };
      await onA.release('k2', first.lease);
      const second = await onB.claim('k2', 'input', 9_000, 30_000);
      expect(second).toEqual({ status: 'claimed', lease: expect.any(String), unsettledSince: 5_000 });
      // The first call's lease is over: its late answer is not kept.
      await onA.settle('k2', first.lease, 'late');
      expect((await onA.claim('k2', 'input', 9_001, 30_000)).status).toBe('in-flight');
    });

    it('a replica that dies mid-call leaves a lease that expires: the waiter is let go, and claims with the first call\'s time', async () => {
      const [onA, onB] = [new RedisIdempotencyRecords<unknown>(a), new RedisIdempotencyRecords<unknown>(b)];
      await onA.claim('k3', 'input', 7_000, 400);
      const waiting = await onB.claim('k3', 'input', 7_100, 400);
      expect(waiting.status).toBe('in-flight');
      await (waiting as Extract<Claim<unknown>, { status: 'in-flight' }>).settled;
      expect(await onB.claim('k3', 'input', 7_600, 30_000)).toEqual({ status: 'claimed', lease: expect.any(String), unsettledSince: 7_000 });
    });

    it('keeps each record 24 h and no principal or client key in key names', async () => {
      const records = new RedisIdempotencyRecords<unknown>(a);
      await records.claim('["user:alice","createServerlessCacheSnapshot","my-key"]', 'input', 1, 30_000);
      const keys = await a.commands.keys(`${prefix}idempotency:*`);
      expect(keys.some((key) => key.includes('alice') || key.includes('my-key'))).toBe(false);
      const ttls = await Promise.all(keys.filter((key) => !key.endsWith(':lease')).map((key) => a.commands.pttl(key)));
      expect(Math.max(...ttls)).toBeGreaterThan(23 * 60 * 60 * 1000);
    });
  });

  it('fails fast, as StoreUnavailableError, when Redis cannot be reached', async () => {
    const down = await connect(`redis://127.0.0.1:${await freePort()}`);
    try {
      await expect(new RedisIdempotencyRecords(down).claim('k', 'f', 1, 1_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(new RedisTokenBucketStore(down).takeAll([{ key: 'x', tokens: 1, shape: perMinute(1) }], 0)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(down.ping(200)).rejects.toThrow();
    } finally {
      await down.close();
    }
  });
});
