/**
 * The in-memory token buckets behind the rate limits: a take that would overdraw is refused whole
 * and takes nothing, the refusal says exactly when enough tokens will be back, buckets refill
 * continuously up to their capacity, each key has its own bucket, and full buckets are forgotten.
 */
import { MemoryTokenBucketStore, perMinute } from '../../src/limits/token-buckets';

let store: MemoryTokenBucketStore;
beforeEach(() => {
  store = new MemoryTokenBucketStore();
});
afterEach(() => {
  store.close();
  jest.useRealTimers();
});

// Three a minute: one token back every 20 s.
const THREE_A_MINUTE = perMinute(3);
const take = (s: MemoryTokenBucketStore, key: string, tokens: number, nowMs: number) => s.take(key, tokens, THREE_A_MINUTE, nowMs);

it('refills a minute-bucket at its capacity per minute', () => {
  expect(perMinute(60)).toEqual({ capacity: 60, refillPerMs: 60 / 60_000 });
});

it('starts full and grants takes until the tokens run out', async () => {
  expect(await take(store, 'k', 2, 0)).toEqual({ taken: true });
  expect(await take(store, 'k', 1, 0)).toEqual({ taken: true });
  expect(await take(store, 'k', 1, 0)).toEqual({ taken: false, retryAfterMs: 20_000 });
});

it('refuses a take that would overdraw, and takes nothing then', async () => {
  expect(await take(store, 'k', 2, 0)).toEqual({ taken: true });
  expect(await take(store, 'k', 2, 0)).toMatchObject({ taken: false });
  // The refused take of 2 left the last token where it was.
  expect(await take(store, 'k', 1, 0)).toEqual({ taken: true });
});

it('says exactly when the missing tokens will be back', async () => {
  const store60 = new MemoryTokenBucketStore();
  try {
    // One token a second.
    expect(await store60.take('k', 60, perMinute(60), 0)).toEqual({ taken: true });
    expect(await store60.take('k', 1, perMinute(60), 250)).toEqual({ taken: false, retryAfterMs: 750 });
    expect(await store60.take('k', 5, perMinute(60), 250)).toEqual({ taken: false, retryAfterMs: 4_750 });
    expect(await store60.take('k', 5, perMinute(60), 4_999)).toMatchObject({ taken: false });
    expect(await store60.take('k', 5, perMinute(60), 5_000)).toEqual({ taken: true });
  } finally {
    store60.close();
  }
});

it('refills over time, and never beyond its capacity', async () => {
  expect(await take(store, 'k', 3, 0)).toEqual({ taken: true });
  expect(await take(store, 'k', 1, 19_999)).toMatchObject({ taken: false });
  expect(await take(store, 'k', 1, 20_000)).toEqual({ taken: true });
  expect(await take(store, 'k', 1, 30_000)).toEqual({ taken: false, retryAfterMs: 10_000 });
  // An hour idle still holds three tokens, not 180.
  expect(await take(store, 'k', 4, 3_600_000)).toMatchObject({ taken: false });
  expect(await take(store, 'k', 3, 3_600_000)).toEqual({ taken: true });
});

it('keeps one bucket per key: spending one leaves the others full', async () => {
  expect(await take(store, 'mutations:api-key:a', 3, 0)).toEqual({ taken: true });
  expect(await take(store, 'mutations:api-key:a', 1, 0)).toMatchObject({ taken: false });
  expect(await take(store, 'mutations:api-key:b', 3, 0)).toEqual({ taken: true });
  expect(await take(store, 'reads:api-key:a', 3, 0)).toEqual({ taken: true });
});

it('forgets buckets once they are full again, so memory follows active callers only', async () => {
  jest.useFakeTimers();
  const swept = new MemoryTokenBucketStore(1_000);
  try {
    const shape = { capacity: 10, refillPerMs: 10 / 5_000 };
    expect(await swept.take('k', 10, shape, Date.now())).toEqual({ taken: true });
    jest.advanceTimersByTime(1_000);
    expect(swept.size).toBe(1);
    jest.advanceTimersByTime(5_000);
    expect(swept.size).toBe(0);
    // A forgotten bucket is a full one.
    expect(await swept.take('k', 10, shape, Date.now())).toEqual({ taken: true });
  } finally {
    swept.close();
  }
});

it('takes from several buckets together or from none, saying when all will hold enough', async () => {
  const shape = perMinute(60);
  expect(await store.take('a', 55, shape, 0)).toEqual({ taken: true });
  // b could pay, a cannot: neither is charged.
  expect(await store.takeAll([{ key: 'b', tokens: 10, shape }, { key: 'a', tokens: 10, shape }], 0)).toEqual({ taken: false, retryAfterMs: 5_000 });
  expect(await store.take('b', 60, shape, 0)).toEqual({ taken: true });
  expect(await store.takeAll([{ key: 'a', tokens: 10, shape }, { key: 'c', tokens: 10, shape }], 5_000)).toEqual({ taken: true });
});
