/**
 * The one-process idempotency record store: the protocol every store (and a shared one later)
 * keeps. Misuse of the constructor is tested apart, at the end.
 */
import { MemoryIdempotencyRecords, type Claim } from '../../src/idempotency/records';

const LEASE = 1_000;

/** The claim, which must have been granted. */
async function claimed<A>(claim: Promise<Claim<A>>): Promise<Extract<Claim<A>, { status: 'claimed' }>> {
  const result = await claim;
  if (result.status !== 'claimed') throw new Error(`expected the key to be claimed, got ${result.status}`);
  return result;
}

function store(options: { maxRecords?: number; ttlMs?: number } = {}) {
  let now = 1_000_000;
  const records = new MemoryIdempotencyRecords<string>({ maxRecords: options.maxRecords ?? 100, ttlMs: options.ttlMs, clock: () => now });
  return { records, now: () => now, advance: (ms: number) => (now += ms) };
}

it('the first claim runs; a duplicate while it runs waits; after the answer, duplicates read it', async () => {
  const { records, now } = store();
  const first = await claimed(records.claim('k', 'input-a', now(), LEASE));
  const duplicate = await records.claim('k', 'input-a', now(), LEASE);
  expect(duplicate.status).toBe('in-flight');
  let woken = false;
  if (duplicate.status === 'in-flight') void duplicate.settled.then(() => (woken = true));
  await records.settle('k', first.lease, 'the answer');
  await Promise.resolve();
  expect(woken).toBe(true);
  expect(await records.claim('k', 'input-a', now(), LEASE)).toEqual({ status: 'answered', answer: 'the answer' });
});

it('a different input under the same key is a mismatch, whatever state the key is in', async () => {
  const { records, now } = store();
  const { lease } = await claimed(records.claim('k', 'input-a', now(), LEASE));
  expect(await records.claim('k', 'input-b', now(), LEASE)).toEqual({ status: 'mismatch' });
  await records.settle('k', lease, 'answer');
  expect(await records.claim('k', 'input-b', now(), LEASE)).toEqual({ status: 'mismatch' });
});

it('a call released without an answer leaves the key to the next call, with when the first began', async () => {
  const { records, now, advance } = store();
  const firstCall = now();
  const { lease } = await claimed(records.claim('k', 'input', firstCall, LEASE));
  await records.release('k', lease);
  advance(5_000);
  expect(await records.claim('k', 'input', now(), LEASE)).toMatchObject({ status: 'claimed', unsettledSince: firstCall });
});

it('a claim whose lease ran out counts as unsettled, and its waiters are woken', async () => {
  const { records, now, advance } = store();
  const firstCall = now();
  await records.claim('k', 'input', firstCall, LEASE);
  const waiting = await records.claim('k', 'input', now(), LEASE);
  advance(LEASE + 1);
  expect(await records.claim('k', 'input', now(), LEASE)).toMatchObject({ status: 'claimed', unsettledSince: firstCall });
  if (waiting.status !== 'in-flight') throw new Error(`expected in-flight, got ${waiting.status}`);
  await expect(waiting.settled).resolves.toBeUndefined();
});

it('a call that outlived its lease cannot settle or release the key another call now holds', async () => {
  const { records, now, advance } = store();
  const stale = await claimed(records.claim('k', 'input', now(), LEASE));
  advance(LEASE + 1);
  const current = await claimed(records.claim('k', 'input', now(), LEASE));
  await records.release('k', stale.lease);
  await records.settle('k', stale.lease, 'stale answer');
  expect((await records.claim('k', 'input', now(), LEASE)).status).toBe('in-flight');
  await records.settle('k', current.lease, 'current answer');
  expect(await records.claim('k', 'input', now(), LEASE)).toEqual({ status: 'answered', answer: 'current answer' });
});

it('records expire: after the TTL the key is new again', async () => {
  const { records, now, advance } = store({ ttlMs: 10_000 });
  const { lease } = await claimed(records.claim('k', 'input-a', now(), LEASE));
  await records.settle('k', lease, 'answer');
  advance(10_000);
  expect(await records.claim('k', 'input-b', now(), LEASE)).toMatchObject({ status: 'claimed' });
});

it('the store is bounded: the oldest answered record goes first, never one whose call is running', async () => {
  const { records, now } = store({ maxRecords: 2 });
  await records.claim('running', 'x', now(), LEASE);
  const { lease } = await claimed(records.claim('answered', 'x', now(), LEASE));
  await records.settle('answered', lease, 'a');
  await records.claim('newest', 'x', now(), LEASE);
  expect(records.size).toBe(2);
  expect((await records.claim('running', 'x', now(), LEASE)).status).toBe('in-flight');
  expect(await records.claim('answered', 'x', now(), LEASE)).toMatchObject({ status: 'claimed' });
});

describe('misuse', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses maxRecords %p', (maxRecords) => {
    expect(() => new MemoryIdempotencyRecords({ maxRecords })).toThrow(RangeError);
  });
});
