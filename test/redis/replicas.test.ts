/**
 * Three gateway processes, one emulator process and one Redis, all on loopback: what a caller
 * sees when a load balancer spreads its requests over replicas is what one process would give.
 */
import type { Client } from 'graphql-ws';
import { connect, subscribe, type Subscription } from '../support/subscriptions';
import { deleteKeys, describeWithRedis, REDIS_URL, uniquePrefix } from '../support/redis';
import { eventually, startEmulatorProcess, startReplica, stopAll, type Emulator, type Replica } from '../support/replicas';

const prefix = uniquePrefix('replicas');
const LEASE_MS = 1_500;
const POLL_MS = 200;
const MUTATIONS_PER_MINUTE = 6;

const CREATE = `mutation($n: String!, $c: String!, $k: String) {
  createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n, serverlessCacheName: $c, idempotencyKey: $k}) {
    __typename
    ... on CreateServerlessCacheSnapshotSuccess { serverlessCacheSnapshot { arn serverlessCacheSnapshotName status createTime } tags { key value } }
    ... on Fault { code message awsRequestId }
  }
}`;
const WATCH = 'subscription($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { serverlessCacheSnapshotName status } }';
type Watched = { serverlessCacheSnapshotStatusChanged: { status: string } };

/** Each test is its own caller (the replicas trust loopback's X-Forwarded-For), with a full bucket. */
let callers = 0;
const newCaller = () => ({ 'x-forwarded-for': `198.51.100.${++callers}` });

describeWithRedis({ sharedRedis: true })('three replicas on one Redis', () => {
  let emulator: Emulator;
  let replicas: Replica[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    // Snapshots stay `creating` long enough to count polls, then become `available`.
    emulator = await startEmulatorProcess({ EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '9000' });
    const env = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      REDIS_COMMAND_TIMEOUT_MS: '400',
      SUBSCRIPTION_POLL_LEASE_MS: String(LEASE_MS),
      SUBSCRIPTION_POLL_INTERVAL_MS: String(POLL_MS),
      // No backoff: every poller polls at the same pace, so counts compare.
      SUBSCRIPTION_POLL_MAX_INTERVAL_MS: String(POLL_MS),
      RATE_LIMIT_MUTATIONS_PER_MINUTE: String(MUTATIONS_PER_MINUTE),
    };
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(emulator.url, env)));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map(async (client) => client.dispose()));
    await stopAll([...replicas.map((r) => r.process), emulator?.process]);
    await deleteKeys(REDIS_URL, prefix);
  }, 30_000);

  const creates = async () => (await emulator.calls()).CreateServerlessCacheSnapshot ?? 0;
  const polls = async () => (await emulator.calls()).DescribeServerlessCacheSnapshots ?? 0;

  it("hits a caller's mutation limit at the configured total, not once per replica", async () => {
    const caller = newCaller();
    const answers = [];
    for (let i = 0; i < 3 * MUTATIONS_PER_MINUTE; i++) {
      answers.push(await replicas[i % 3]!.graphql(CREATE, { n: `limited-${i}`, c: 'no-such-cache' }, caller));
    }
    const admitted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(admitted).toHaveLength(MUTATIONS_PER_MINUTE);
    expect(refused).toHaveLength(2 * MUTATIONS_PER_MINUTE);
    for (const answer of refused) {
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    }
  });

  it('makes one AWS create for one idempotency key sent to replica A then B, and gives B the same answer', async () => {
    const caller = newCaller();
    const before = await creates();
    const onA = await replicas[0]!.graphql(CREATE, { n: 'keyed-a-then-b', c: 'demo-valkey', k: 'key-a-then-b' }, caller);
    const onB = await replicas[1]!.graphql(CREATE, { n: 'keyed-a-then-b', c: 'demo-valkey', k: 'key-a-then-b' }, caller);
    expect(onA.body.data).toMatchObject({ createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
    expect(onB.body).toEqual(onA.body);
    expect((await creates()) - before).toBe(1);
  });

  it('makes one AWS create for concurrent duplicates sent to all three', async () => {
    const caller = newCaller();
    const before = await creates();
    const answers = await Promise.all(replicas.map((replica) => replica.graphql(CREATE, { n: 'keyed-concurrent', c: 'demo-valkey', k: 'key-concurrent' }, caller)));
    expect(answers[0]!.body.data).toMatchObject({ createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
    expect(answers[1]!.body).toEqual(answers[0]!.body);
    expect(answers[2]!.body).toEqual(answers[0]!.body);
    expect((await creates()) - before).toBe(1);
  });

  /** Starts `count` subscribers to `name`, spread over the replicas (the i-th on replica i mod 3). */
  const watchers = async (name: string, count: number): Promise<Subscription<Watched>[]> => {
    const started = Array.from({ length: count }, (_, i) => {
      const client = connect(replicas[i % replicas.length]!.url);
      clients.push(client);
      return subscribe<Watched>(client, WATCH, { name });
    });
    await Promise.all(started.map((s) => s.received(1)));
    return started;
  };
  const windowMs = 2_000;
  const pollsOver = async (ms: number) => {
    const before = await polls();
    await new Promise((resolve) => setTimeout(resolve, ms));
    return (await polls()) - before;
  };

  it('costs the AWS polls of one poller for twenty subscribers spread over the replicas', async () => {
    const caller = newCaller();
    for (const n of ['watched-alone', 'watched-by-twenty']) await replicas[0]!.graphql(CREATE, { n, c: 'demo-valkey' }, caller);
    // One subscriber on one replica: one poller's polls over the window.
    const [alone] = await watchers('watched-alone', 1);
    await eventually(async () => (await replicas[0]!.metric('snapshot_status_polls_held')) === 1, LEASE_MS);
    const onePoller = await pollsOver(windowMs);
    alone!.unsubscribe();
    await eventually(async () => (await Promise.all(replicas.map((r) => r.metric('snapshot_status_polls_held')))).every((held) => held === 0), LEASE_MS * 2);

    const twenty = await watchers('watched-by-twenty', 20);
    const held = await Promise.all(replicas.map((r) => r.metric('snapshot_status_polls_held')));
    expect(held.reduce((a, b) => a + b, 0)).toBe(1);
    const shared = await pollsOver(windowMs);
    console.log(`DescribeServerlessCacheSnapshots over ${windowMs} ms: ${onePoller} with 1 subscriber on 1 replica, ${shared} with 20 subscribers on 3 replicas`);
    // Three pollers would make three times as many.
    expect(shared).toBeLessThanOrEqual(onePoller + 2);
    expect(twenty.every((s) => s.events.length === 1)).toBe(true);
    for (const s of twenty) s.unsubscribe();
  });

  it("hands polling to another replica within the lease when the poller's is killed, and the others' subscribers keep receiving", async () => {
    const caller = newCaller();
    await replicas[2]!.graphql(CREATE, { n: 'watched-through-a-kill', c: 'demo-valkey' }, caller);
    const subscribers = await watchers('watched-through-a-kill', 6);
    let holders: number[] = [];
    await eventually(async () => {
      holders = await Promise.all(replicas.map((r) => r.metric('snapshot_status_polls_held')));
      return holders.reduce((a, b) => a + b, 0) === 1;
    }, LEASE_MS);
    const poller = holders.indexOf(1);
    const survivors = replicas.filter((_, i) => i !== poller);
    // The killed replica's own subscribers lose their socket: that is not what is tested here.
    for (const [i, s] of subscribers.entries()) if (i % 3 === poller) s.done.catch(() => undefined);
    replicas[poller]!.process.process.kill('SIGKILL');
    await replicas[poller]!.process.exit;
    const killedAt = Date.now();
    await eventually(async () => (await Promise.all(survivors.map((r) => r.metric('snapshot_status_polls_held')))).some((h) => h === 1), LEASE_MS * 3);
    const tookOverAfterMs = Date.now() - killedAt;
    console.log(`a survivor polled ${tookOverAfterMs} ms after the poller was killed (lease ${LEASE_MS} ms)`);
    // Within the lease, with room for a loaded machine's scheduling.
    expect(tookOverAfterMs).toBeLessThan(LEASE_MS + 1_000);
    const onSurvivors = subscribers.filter((_, i) => i % 3 !== poller);
    await Promise.all(onSurvivors.map((s) => s.done));
    for (const s of onSurvivors) expect(s.events.map((e) => e.data?.serverlessCacheSnapshotStatusChanged.status)).toEqual(['creating', 'available']);
    replicas = survivors;
  }, 30_000);
});
