/**
 * Identical AWS reads shared across requests, end to end: requests in flight at the same moment
 * make one AWS call and all get its outcome; with UPSTREAM_READ_CACHE_MS a success is kept; a
 * write through the gateway is seen by every read that starts after it; and each caller still
 * sees only what its own credentials allow.
 */
import { writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const CACHE = '{ serverlessCache(name: "demo-valkey") { serverlessCacheName status } }';
const LIST = '{ serverlessCacheSnapshots(first: 50) { nodes { serverlessCacheSnapshotName status serverlessCache { serverlessCacheName } } } }';
const CREATE =
  'mutation($n: String!, $c: String!) { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n, serverlessCacheName: $c}) { __typename } }';
const DELETE = 'mutation($n: String!) { deleteServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n}) { __typename } }';

type Listed = { serverlessCacheSnapshots: { nodes: { serverlessCacheSnapshotName: string; status: string; serverlessCache: { serverlessCacheName: string } | null }[] } };

async function callsOf(gateway: TestGateway, action: string): Promise<number> {
  return (await gateway.emulator.calls())[action] ?? 0;
}

const sharing = (gateway: TestGateway) => gateway.counts('elasticache_read_sharing_total', 'outcome');

const statusOf = (body: { data?: Listed | null }, name: string) =>
  body.data?.serverlessCacheSnapshots.nodes.find((n) => n.serverlessCacheSnapshotName === name)?.status;

describe('without a read cache (the default)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('sends identical reads in flight at the same moment once, and answers each of them', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCaches', delayMs: 300 });
    const before = await callsOf(gateway, 'DescribeServerlessCaches');
    const counted = await sharing(gateway);
    const answers = await Promise.all(Array.from({ length: 5 }, () => gateway.graphql(CACHE)));
    for (const { body } of answers) expect(body).toEqual({ data: { serverlessCache: { serverlessCacheName: 'demo-valkey', status: 'available' } } });
    expect((await callsOf(gateway, 'DescribeServerlessCaches')) - before).toBe(1);
    const now = await sharing(gateway);
    expect((now.sent ?? 0) - (counted.sent ?? 0)).toBe(1);
    expect((now.joined ?? 0) - (counted.joined ?? 0)).toBe(4);
  });

  it('shares a failure as well: every joined request gets the error, from one AWS call', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCaches', code: 'AccessDenied', status: 403, delayMs: 300 });
    const before = await callsOf(gateway, 'DescribeServerlessCaches');
    const answers = await Promise.all(Array.from({ length: 3 }, () => gateway.graphql(CACHE)));
    for (const { body } of answers) expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_ACCESS_DENIED']);
    expect((await callsOf(gateway, 'DescribeServerlessCaches')) - before).toBe(1);
    // Nothing failed is kept: the next read asks AWS again, and succeeds.
    const { body } = await gateway.graphql(CACHE);
    expect(body.errors).toBeUndefined();
    expect((await callsOf(gateway, 'DescribeServerlessCaches')) - before).toBe(2);
  });

  it('keeps nothing once a read has ended: the next identical read goes to AWS', async () => {
    const before = await callsOf(gateway, 'DescribeServerlessCaches');
    await gateway.graphql(CACHE);
    await gateway.graphql(CACHE);
    expect((await callsOf(gateway, 'DescribeServerlessCaches')) - before).toBe(2);
  });
});

describe('with a read cache', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      env: { UPSTREAM_READ_CACHE_MS: '60000', EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '0', EMULATOR_SNAPSHOT_DELETE_AFTER_MS: '60000' },
    });
  });
  afterAll(() => gateway.close());

  it('answers a repeated read from the cache, without AWS', async () => {
    const before = await callsOf(gateway, 'DescribeServerlessCaches');
    const counted = await sharing(gateway);
    const first = await gateway.graphql(CACHE);
    const second = await gateway.graphql(CACHE);
    expect(second.body).toEqual(first.body);
    expect((await callsOf(gateway, 'DescribeServerlessCaches')) - before).toBe(1);
    expect(((await sharing(gateway)).cached ?? 0) - (counted.cached ?? 0)).toBe(1);
  });

  it('sees its own create at once, and its own delete', async () => {
    expect(statusOf((await gateway.graphql<Listed>(LIST)).body, 'fresh-one')).toBeUndefined();
    const created = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(CREATE, { n: 'fresh-one', c: 'demo-valkey' });
    expect(created.body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    expect(statusOf((await gateway.graphql<Listed>(LIST)).body, 'fresh-one')).toBe('available');

    const deleted = await gateway.graphql<{ deleteServerlessCacheSnapshot: { __typename: string } }>(DELETE, { n: 'fresh-one' });
    expect(deleted.body.data?.deleteServerlessCacheSnapshot.__typename).toBe('DeleteServerlessCacheSnapshotSuccess');
    expect(statusOf((await gateway.graphql<Listed>(LIST)).body, 'fresh-one')).toBe('deleting');
  });

  it('a read that starts after a write does not join a read started before it', async () => {
    // A slow listing is on its way when the snapshot is created; the listing asked for afterwards
    // must be a new AWS call, and the slow one's answer must not be kept.
    await gateway.emulator.inject({ action: 'DescribeServerlessCacheSnapshots', delayMs: 600 });
    const slow = gateway.graphql<Listed>(LIST);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const created = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(CREATE, { n: 'during-read', c: 'demo-valkey' });
    expect(created.body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    const after = await gateway.graphql<Listed>(LIST);
    expect(statusOf(after.body, 'during-read')).toBe('available');
    expect(statusOf((await slow).body, 'during-read')).toBeUndefined();
    expect(statusOf((await gateway.graphql<Listed>(LIST)).body, 'during-read')).toBe('available');
  });
});

describe('authorization after the shared read', () => {
  const { file, keys } = writeApiKeys([
    { id: 'admin', scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] },
    { id: 'valkey-team', scopes: ['snapshots:read'], caches: ['demo-valkey'] },
  ]);
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { AUTH_API_KEYS_FILE: file, UPSTREAM_READ_CACHE_MS: '60000' } });
    for (const cache of ['demo-valkey', 'demo-redis']) {
      const { body } = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(
        CREATE,
        { n: `${cache}-shared`, c: cache },
        { 'x-api-key': keys.admin! },
      );
      expect(body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    }
  });
  afterAll(() => gateway.close());

  const as = <T>(key: string, query: string) => gateway.graphql<T>(query, undefined, { 'x-api-key': keys[key]! });
  const cachesIn = (body: { data?: Listed | null }) => [...new Set(body.data?.serverlessCacheSnapshots.nodes.map((n) => n.serverlessCache?.serverlessCacheName))].sort();

  it('gives two callers of different grants one AWS call, each seeing only what it may', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCacheSnapshots', delayMs: 300 });
    const before = await callsOf(gateway, 'DescribeServerlessCacheSnapshots');
    const [admin, team] = await Promise.all([as<Listed>('admin', LIST), as<Listed>('valkey-team', LIST)]);
    expect((await callsOf(gateway, 'DescribeServerlessCacheSnapshots')) - before).toBe(1);
    expect(cachesIn(admin.body)).toEqual(['demo-redis', 'demo-valkey']);
    expect(cachesIn(team.body)).toEqual(['demo-valkey']);

    // And again from the cache, in the other order.
    const [teamAgain, adminAgain] = await Promise.all([as<Listed>('valkey-team', LIST), as<Listed>('admin', LIST)]);
    expect((await callsOf(gateway, 'DescribeServerlessCacheSnapshots')) - before).toBe(1);
    expect(cachesIn(teamAgain.body)).toEqual(['demo-valkey']);
    expect(cachesIn(adminAgain.body)).toEqual(['demo-redis', 'demo-valkey']);
  });

  it('hides a cache the caller may not see even when another caller just read it', async () => {
    const query = '{ serverlessCache(name: "demo-redis") { serverlessCacheName } }';
    await gateway.emulator.inject({ action: 'DescribeServerlessCaches', delayMs: 300 });
    const [admin, team] = await Promise.all([as('admin', query), as('valkey-team', query)]);
    expect(admin.body.data).toEqual({ serverlessCache: { serverlessCacheName: 'demo-redis' } });
    expect(team.body.data).toEqual({ serverlessCache: null });
    const teamFromCache = await as('valkey-team', query);
    expect(teamFromCache.body.data).toEqual({ serverlessCache: null });
  });
});
