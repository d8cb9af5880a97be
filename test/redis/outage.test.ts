/**
 * Redis going away under two running replicas, and coming back: the README's failure policy.
 * The Redis is the test's own redis-server (never the machine's), killed and started again on the
 * same port.
 */
import type { Client } from 'graphql-ws';
import { connect, subscribe } from '../support/subscriptions';
import { describeWithRedis, freePort, OwnRedisServer } from '../support/redis';
import { eventually, startEmulatorProcess, startReplica, stopAll, type Emulator, type Replica } from '../support/replicas';

const LEASE_MS = 1_500;
const CREATE = `mutation($n: String!, $c: String!, $k: String) {
  createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n, serverlessCacheName: $c, idempotencyKey: $k}) { __typename }
}`;
const WATCH = 'subscription($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { status } }';
type Watched = { serverlessCacheSnapshotStatusChanged: { status: string } };

describeWithRedis({ redisServer: true })('when Redis goes away and comes back', () => {
  let redis: OwnRedisServer;
  let emulator: Emulator;
  let replicas: Replica[] = [];
  let clients: Client[] = [];

  beforeAll(async () => {
    redis = new OwnRedisServer(await freePort());
    await redis.start();
    emulator = await startEmulatorProcess({ EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '12000' });
    const env = {
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: '300',
      REDIS_CONNECT_TIMEOUT_MS: '300',
      SUBSCRIPTION_POLL_LEASE_MS: String(LEASE_MS),
      SUBSCRIPTION_POLL_INTERVAL_MS: '200',
      SUBSCRIPTION_POLL_MAX_INTERVAL_MS: '200',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '2',
      READY_CHECK_INTERVAL_MS: '0',
    };
    replicas = await Promise.all([0, 1].map(() => startReplica(emulator.url, env)));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map(async (client) => client.dispose()));
    await stopAll([...replicas.map((r) => r.process), emulator?.process]);
    await redis?.stop();
  }, 30_000);

  const ready = (replica: Replica) => fetch(`${replica.url}/ready`).then(async (r) => ({ status: r.status, body: (await r.json()) }));
  const creates = async () => (await emulator.calls()).CreateServerlessCacheSnapshot ?? 0;
  const held = async () => Promise.all(replicas.map((r) => r.metric('snapshot_status_polls_held')));

  it('refuses keyed creates without calling AWS, lets limits fail open, reports Redis in /ready, polls locally; then recovers', async () => {
    const [a, b] = replicas as [Replica, Replica];
    await a.graphql(CREATE, { n: 'watched-through-outage', c: 'demo-valkey' }, { 'x-forwarded-for': '192.0.2.1' });
    clients = [connect(a.url), connect(b.url)];
    const watching = clients.map((client) => subscribe<Watched>(client, WATCH, { name: 'watched-through-outage' }));
    await Promise.all(watching.map((w) => w.received(1)));
    await eventually(async () => (await held()).reduce((x, y) => x + y, 0) === 1, LEASE_MS);
    expect((await ready(a)).status).toBe(200);

    await redis.stop();

    // A create carrying an idempotency key: refused, retryable, nothing sent to AWS.
    const before = await creates();
    const keyed = await b.graphql(CREATE, { n: 'keyed-in-outage', c: 'demo-valkey', k: 'outage-key' }, { 'x-forwarded-for': '192.0.2.2' });
    expect(keyed.body.errors?.[0]?.extensions).toEqual({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
    expect(keyed.body.data).toEqual({ createServerlessCacheSnapshot: null });
    expect(await creates()).toBe(before);

    // Rate limits fail open: twice the limit goes through, counted, with one warning per replica.
    const caller = { 'x-forwarded-for': '192.0.2.3' };
    const answers = await Promise.all([0, 1, 2, 3].map((i) => replicas[i % 2]!.graphql(CREATE, { n: `unlimited-${i}`, c: 'no-such-cache' }, caller)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await a.metric('gateway_rate_limit_fail_open_total')) + (await b.metric('gateway_rate_limit_fail_open_total'))).toBeGreaterThanOrEqual(4);
    expect(await a.metric('gateway_shared_store_failures_total')).toBeGreaterThan(0);
    for (const replica of replicas) {
      expect(replica.process.lines.filter((l) => String(l.msg).startsWith('rate limits not applied')).length).toBe(1);
    }

    // /ready names Redis.
    expect(await ready(a)).toEqual({ status: 503, body: { status: 'unavailable', check: 'redis', code: 'DEPENDENCY_UNAVAILABLE' } });

    // Each replica with watchers polls for them itself meanwhile.
    await eventually(async () => (await held()).every((h) => h === 1), LEASE_MS * 2);
    expect(watching.every((w) => w.events.length === 1)).toBe(true);

    await redis.start();

    // Back: ready, one shared poll again, keyed creates run.
    await eventually(async () => (await ready(a)).status === 200 && (await ready(b)).status === 200, 10_000);
    await eventually(async () => (await held()).reduce((x, y) => x + y, 0) === 1, 10_000);
    const beforeRetry = await creates();
    const retried = await b.graphql(CREATE, { n: 'keyed-in-outage', c: 'demo-valkey', k: 'outage-key' }, { 'x-forwarded-for': '192.0.2.2' });
    expect(retried.body.data).toEqual({ createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
    expect(await creates()).toBe(beforeRetry + 1);

    // The subscribers on both replicas saw the snapshot through to the end.
    await Promise.all(watching.map((w) => w.done));
    for (const w of watching) expect(w.events.map((e) => e.data?.serverlessCacheSnapshotStatusChanged.status)).toEqual(['creating', 'available']);
  }, 60_000);
});
