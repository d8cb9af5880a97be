/**
 * Live snapshot status over graphql-ws, on the same port and path as queries: the state at once,
 * each status change, completion at a final status; one AWS poll per snapshot however many watch.
 */
import type { Client } from 'graphql-ws';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { connect, subscribe } from '../support/subscriptions';

const WATCH = 'subscription($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { serverlessCacheSnapshotName status } }';
const CREATE = 'mutation($n: String!) { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n, serverlessCacheName: "demo-valkey"}) { __typename } }';
type Watched = { serverlessCacheSnapshotStatusChanged: { serverlessCacheSnapshotName: string; status: string } };

let gateway: TestGateway;
let client: Client;
beforeAll(async () => {
  gateway = await startTestGateway({
    env: { EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '700', SUBSCRIPTION_POLL_INTERVAL_MS: '50', SUBSCRIPTION_POLL_MAX_INTERVAL_MS: '200' },
  });
  client = connect(gateway.url);
});
afterAll(async () => {
  await client.dispose();
  await gateway.close();
});

let counter = 0;
async function newSnapshot(): Promise<string> {
  const name = `watched-${++counter}`;
  const { body } = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(CREATE, { n: name });
  expect(body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
  return name;
}

const statuses = (events: { data?: Watched | null }[]) => events.map((e) => e.data?.serverlessCacheSnapshotStatusChanged.status);
const describeCalls = async () => (await gateway.metrics.upstreamCallCounts()).DescribeServerlessCacheSnapshots ?? 0;

it('sends the current state at once, then the change to available, then completes', async () => {
  const name = await newSnapshot();
  const watch = subscribe<Watched>(client, WATCH, { name: name.toUpperCase() });
  await watch.done;
  expect(statuses(watch.events)).toEqual(['creating', 'available']);
  expect(watch.events[0]?.data?.serverlessCacheSnapshotStatusChanged.serverlessCacheSnapshotName).toBe(name);
});

it('completes at once for a snapshot that is already available', async () => {
  const name = await newSnapshot();
  await subscribe<Watched>(client, WATCH, { name }).done;
  const watch = subscribe<Watched>(client, WATCH, { name });
  await watch.done;
  expect(statuses(watch.events)).toEqual(['available']);
});

it('polls AWS once for all the clients watching the same snapshot', async () => {
  const alone = await newSnapshot();
  let before = await describeCalls();
  await subscribe<Watched>(client, WATCH, { name: alone }).done;
  const oneWatcher = (await describeCalls()) - before;

  const shared = await newSnapshot();
  before = await describeCalls();
  const clients = Array.from({ length: 5 }, () => connect(gateway.url));
  const watches = clients.map((c) => subscribe<Watched>(c, WATCH, { name: shared }));
  await Promise.all(watches.map((w) => w.done));
  const fiveWatchers = (await describeCalls()) - before;
  await Promise.all(clients.map(async (c) => c.dispose()));

  for (const w of watches) expect(statuses(w.events)).toEqual(['creating', 'available']);
  // Five separate polls would cost about five times as many calls.
  expect(fiveWatchers).toBeLessThanOrEqual(oneWatcher + 2);
});

it('stops polling when the last client leaves', async () => {
  const slow = await startTestGateway({
    env: { EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '600000', SUBSCRIPTION_POLL_INTERVAL_MS: '20', SUBSCRIPTION_POLL_MAX_INTERVAL_MS: '20' },
  });
  const slowClient = connect(slow.url);
  try {
    await slow.graphql(CREATE, { n: 'forever-creating' });
    const watch = subscribe<Watched>(slowClient, WATCH, { name: 'forever-creating' });
    await watch.received(1);
    await new Promise((r) => setTimeout(r, 100));
    watch.unsubscribe();
    await new Promise((r) => setTimeout(r, 50));
    const after = (await slow.metrics.upstreamCallCounts()).DescribeServerlessCacheSnapshots;
    await new Promise((r) => setTimeout(r, 200));
    expect((await slow.metrics.upstreamCallCounts()).DescribeServerlessCacheSnapshots).toBe(after);
    expect(statuses(watch.events)).toEqual(['creating']);
  } finally {
    await slowClient.dispose();
    await slow.close();
  }
});

it('rides out throttled polls instead of ending the subscription', async () => {
  const name = await newSnapshot();
  // Two polls in a row fail after the SDK's two attempts each.
  await gateway.emulator.inject({ action: 'DescribeServerlessCacheSnapshots', code: 'Throttling', status: 400, times: 4 });
  const watch = subscribe<Watched>(client, WATCH, { name });
  await watch.done;
  // Whether `creating` is seen depends on how long the throttling lasted; the end is certain.
  expect(statuses(watch.events).at(-1)).toBe('available');
  expect(watch.events.every((e) => e.errors === undefined)).toBe(true);
});

it('answers an unknown snapshot with a BAD_USER_INPUT error', async () => {
  const watch = subscribe<Watched>(client, WATCH, { name: 'no-such-snapshot' });
  await expect(watch.done).rejects.toThrow(
    JSON.stringify([
      { message: 'There is no serverless cache snapshot named "no-such-snapshot".', extensions: { argumentName: 'name', code: 'BAD_USER_INPUT' } },
    ]),
  );
  expect(watch.events).toEqual([]);
});
