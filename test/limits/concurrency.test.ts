/**
 * Fair shares of the connections to AWS: the semaphore serves waiters in order and drops the ones
 * whose call gave up, and `UpstreamConcurrency` bounds the AWS calls in flight per request and per
 * principal, without one principal's bound touching another's, and forgets principals once idle.
 */
import { Semaphore, UpstreamConcurrency } from '../../src/limits/concurrency';

const never = () => new AbortController().signal;

/** Whether `promise` has settled once everything already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('Semaphore', () => {
  it('grants up to its permits at once, then one waiter per release, first come first served', async () => {
    const semaphore = new Semaphore(2);
    const held = [await semaphore.acquire(never()), await semaphore.acquire(never())];
    const granted: string[] = [];
    const waiters = ['first', 'second', 'third'].map((name) =>
      semaphore.acquire(never()).then((release) => {
        granted.push(name);
        return release;
      }),
    );
    expect(await settled(waiters[0]!)).toBe(false);

    held[0]!();
    await settled(waiters[0]!);
    expect(granted).toEqual(['first']);
    held[1]!();
    await settled(waiters[1]!);
    expect(granted).toEqual(['first', 'second']);
    (await waiters[0]!)();
    expect(await settled(waiters[2]!)).toBe(true);
    expect(granted).toEqual(['first', 'second', 'third']);
  });

  it('frees one permit per holder, however often its release is called', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire(never());
    const a = semaphore.acquire(never());
    const b = semaphore.acquire(never());
    release();
    release();
    expect(await settled(a)).toBe(true);
    expect(await settled(b)).toBe(false);
  });

  it('rejects an aborted waiter with the reason, and passes its turn to the next one', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire(never());
    const giveUp = new AbortController();
    const abandoned = semaphore.acquire(giveUp.signal);
    const next = semaphore.acquire(never());
    const reason = new Error('call deadline');
    giveUp.abort(reason);
    await expect(abandoned).rejects.toBe(reason);

    release();
    expect(await settled(next)).toBe(true);
    (await next)();
    expect(semaphore.busy).toBe(false);
  });

  it('rejects at once when the signal has already aborted and no permit is free', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire(never());
    const reason = new Error('gone');
    await expect(semaphore.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe('UpstreamConcurrency', () => {
  it('bounds the calls in flight of one request, not of its principal', async () => {
    const upstream = new UpstreamConcurrency(2, 100);
    const request = upstream.gateFor('api-key:a');
    const releases = [await request.acquire(never()), await request.acquire(never())];
    const third = request.acquire(never());
    expect(await settled(third)).toBe(false);
    // Another request of the same principal has its own bound.
    expect(await settled(upstream.gateFor('api-key:a').acquire(never()))).toBe(true);

    releases[0]!();
    expect(await settled(third)).toBe(true);
  });

  it("bounds one principal's calls over all its requests, leaving other principals alone", async () => {
    const upstream = new UpstreamConcurrency(100, 2);
    const release = await upstream.gateFor('api-key:a').acquire(never());
    await upstream.gateFor('api-key:a').acquire(never());
    const waiting = upstream.gateFor('api-key:a').acquire(never());
    expect(await settled(waiting)).toBe(false);
    expect(await settled(upstream.gateFor('api-key:b').acquire(never()))).toBe(true);

    release();
    expect(await settled(waiting)).toBe(true);
  });

  it("gives back the request's share when a call waiting for its principal's gives up", async () => {
    const upstream = new UpstreamConcurrency(1, 1);
    const other = await upstream.gateFor('api-key:a').acquire(never());
    const request = upstream.gateFor('api-key:a');
    const giveUp = new AbortController();
    const abandoned = request.acquire(giveUp.signal);
    giveUp.abort(new Error('call deadline'));
    await expect(abandoned).rejects.toThrow('call deadline');

    // With its only permit still held by the abandoned call, this one would never run.
    const retried = request.acquire(never());
    other();
    expect(await settled(retried)).toBe(true);
  });

  it('forgets a principal once it has no call in flight or waiting', async () => {
    const upstream = new UpstreamConcurrency(1, 1);
    const a = await upstream.gateFor('api-key:a').acquire(never());
    const b = await upstream.gateFor('api-key:b').acquire(never());
    const giveUp = new AbortController();
    const abandoned = upstream.gateFor('api-key:b').acquire(giveUp.signal);
    expect(upstream.activePrincipals).toBe(2);

    a();
    expect(upstream.activePrincipals).toBe(1);
    giveUp.abort(new Error('call deadline'));
    await expect(abandoned).rejects.toThrow('call deadline');
    b();
    expect(upstream.activePrincipals).toBe(0);
  });
});
