/** The shared status poll, driven by a scripted upstream: what watchers see and what AWS is asked. */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { GatewayError, GatewayErrorCode } from '../../src/errors';
import { createLogger } from '../../src/logger';
import type { Observation, PollElection, PollEvents } from '../../src/snapshots/poll-election';
import { isFinalStatus, SnapshotStatusWatcher } from '../../src/snapshots/status-watcher';

type Step = string | null | GatewayErrorCode;

/** Answers each poll with the next step: a status, null (gone), or a failure; the last step repeats. */
function scripted(steps: Step[]) {
  const calls: string[] = [];
  const describe = (name: string): Promise<ServerlessCacheSnapshot | null> => {
    calls.push(name);
    const step = steps[Math.min(calls.length - 1, steps.length - 1)] as Step;
    if (step === null) return Promise.resolve(null);
    if (Object.values(GatewayErrorCode).includes(step as GatewayErrorCode)) return Promise.reject(new GatewayError(step as GatewayErrorCode));
    return Promise.resolve({ ServerlessCacheSnapshotName: name, Status: step });
  };
  return { calls, describe };
}

const watcherFor = (describe: (name: string) => Promise<ServerlessCacheSnapshot | null>) =>
  new SnapshotStatusWatcher(describe, { pollIntervalMs: 5, maxPollIntervalMs: 20 }, createLogger('silent'));

async function collect(iterator: AsyncIterableIterator<ServerlessCacheSnapshot>): Promise<(string | undefined)[]> {
  const seen: (string | undefined)[] = [];
  for await (const snapshot of iterator) seen.push(snapshot.Status);
  return seen;
}

describe('SnapshotStatusWatcher', () => {
  it('sends each change of status once, and ends at a final status', async () => {
    const upstream = scripted(['creating', 'creating', 'creating', 'available']);
    expect(await collect(watcherFor(upstream.describe).watch('Snap'))).toEqual(['creating', 'available']);
    expect(upstream.calls).toEqual(['snap', 'snap', 'snap', 'snap']);
  });

  it('ends without an error when a snapshot it has seen disappears', async () => {
    expect(await collect(watcherFor(scripted(['deleting', null]).describe).watch('s'))).toEqual(['deleting']);
  });

  it('fails with BAD_USER_INPUT for a snapshot that never existed', async () => {
    await expect(collect(watcherFor(scripted([null]).describe).watch('s'))).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('keeps polling through throttling and unavailability', async () => {
    const upstream = scripted(['creating', GatewayErrorCode.UPSTREAM_THROTTLED, GatewayErrorCode.UPSTREAM_UNAVAILABLE, 'available']);
    expect(await collect(watcherFor(upstream.describe).watch('s'))).toEqual(['creating', 'available']);
  });

  it('ends every watcher with the error when AWS refuses access', async () => {
    const watcher = watcherFor(scripted(['creating', GatewayErrorCode.UPSTREAM_ACCESS_DENIED]).describe);
    await expect(collect(watcher.watch('s'))).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_ACCESS_DENIED' } });
    expect(watcher.activePolls).toBe(0);
  });

  it('runs one poll for many watchers, and stops it when the last one leaves', async () => {
    const upstream = scripted(['creating']);
    const watcher = watcherFor(upstream.describe);
    const a = watcher.watch('s');
    const b = watcher.watch('S');
    expect((await a.next()).value).toMatchObject({ Status: 'creating' });
    expect((await b.next()).value).toMatchObject({ Status: 'creating' });
    expect(watcher.activePolls).toBe(1);
    await a.return?.();
    expect(watcher.activePolls).toBe(1);
    await b.return?.();
    expect(watcher.activePolls).toBe(0);
    const calls = upstream.calls.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(upstream.calls.length).toBe(calls);
  });

  it('backs off while nothing changes, up to the longest interval', async () => {
    const upstream = scripted(['creating']);
    const watcher = watcherFor(upstream.describe);
    const iterator = watcher.watch('s');
    await iterator.next();
    await new Promise((r) => setTimeout(r, 200));
    await iterator.return?.();
    // At a steady 5 ms there would be about 40 polls; backing off to 20 ms leaves about 12.
    expect(upstream.calls.length).toBeLessThan(20);
  });
});

describe('isFinalStatus', () => {
  it.each([
    ['available', true],
    ['failed', true],
    ['creating', false],
    ['deleting', false],
    [undefined, false],
  ])('%p is final: %p', (status, final) => {
    expect(isFinalStatus(status)).toBe(final);
  });
});

describe('SnapshotStatusWatcher with replicas (a scripted election)', () => {
  /** An election this test decides: who polls, and what "another replica" found. */
  function scriptedElection() {
    const seats: { name: string; events: PollEvents; published: Observation[]; left: boolean }[] = [];
    const election: PollElection = {
      join(name, events) {
        const seat = { name, events, published: [] as Observation[], left: false };
        seats.push(seat);
        return { publish: (o) => void seat.published.push(o), leave: () => void (seat.left = true) };
      },
    };
    return { election, seats };
  }
  const remote = (Status: string): Observation => ({ kind: 'snapshot', snapshot: { ServerlessCacheSnapshotName: 's', Status } });

  it('polls nothing while another replica polls, and hands its results to the watchers here', async () => {
    const upstream = scripted(['creating']);
    const { election, seats } = scriptedElection();
    const watcher = new SnapshotStatusWatcher(upstream.describe, { pollIntervalMs: 5, maxPollIntervalMs: 20 }, createLogger('silent'), election);
    const seen = collect(watcher.watch('S'));
    const seat = seats[0]!;
    seat.events.observed(remote('creating'));
    seat.events.observed(remote('creating'));
    seat.events.observed(remote('available'));
    expect(await seen).toEqual(['creating', 'available']);
    expect(upstream.calls).toEqual([]);
    expect(seat.left).toBe(true);
    expect(watcher.pollsHeld).toBe(0);
  });

  it('polls once the election hands it the poll, publishes every result, and stops when told another replica polls', async () => {
    const upstream = scripted(['creating', 'creating', 'creating', 'creating', 'available']);
    const { election, seats } = scriptedElection();
    const watcher = new SnapshotStatusWatcher(upstream.describe, { pollIntervalMs: 5, maxPollIntervalMs: 5 }, createLogger('silent'), election);
    const seen = collect(watcher.watch('s'));
    const seat = seats[0]!;
    seat.events.polling(true);
    expect(watcher.pollsHeld).toBe(1);
    while (upstream.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    seat.events.polling(false);
    const callsWhenStopped = upstream.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(upstream.calls.length).toBe(callsWhenStopped);
    expect(seat.published.every((o) => o.kind === 'snapshot' && o.snapshot.Status === 'creating')).toBe(true);
    seat.events.observed(remote('available'));
    expect(await seen).toEqual(['creating', 'available']);
  });
});
