/**
 * What a principal may do, end to end with API keys: scopes per operation, and cache patterns on
 * every object and every edge. A cache outside a caller's patterns does not exist for that caller,
 * a refused mutation never reaches AWS, and no answer tells a caller which caches exist.
 */
import { writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const { file, keys } = writeApiKeys([
  { id: 'admin', scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] },
  // Upper case on purpose: patterns compare case-insensitively, as AWS names do.
  { id: 'valkey-team', scopes: ['snapshots:read', 'snapshots:write'], caches: ['DEMO-VALKEY', 'demo-m*'] },
  { id: 'reader', scopes: ['snapshots:read'], caches: ['*'] },
  { id: 'writer-only', scopes: ['snapshots:write'], caches: ['*'] },
  { id: 'nothing', scopes: ['snapshots:read', 'snapshots:write'], caches: [] },
]);

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ env: { AUTH_API_KEYS_FILE: file, EMULATOR_DAILY_SNAPSHOT_QUOTA: '100' } });
  // Snapshots of an allowed and a forbidden cache, interleaved so every page mixes both, and more
  // of them than one AWS page holds (50), so the filtered lists cross AWS pages.
  for (let i = 0; i < 30; i++) {
    for (const cache of ['demo-valkey', 'demo-redis']) {
      const created = await as('admin', CREATE, { n: `${cache}-snap-${i}`, c: cache });
      expect(created.body.data?.createServerlessCacheSnapshot?.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    }
  }
});
afterAll(() => gateway.close());

const CREATE =
  'mutation($n: String!, $c: String!) { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n, serverlessCacheName: $c}) { __typename } }';
type Created = { createServerlessCacheSnapshot: { __typename: string } | null };

function as<T = Created>(keyId: string, query: string, variables?: Record<string, unknown>) {
  return gateway.graphql<T>(query, variables, { 'x-api-key': keys[keyId]! });
}

async function awsCalls(): Promise<number> {
  return Object.values(await gateway.emulator.calls()).reduce((a, b) => a + b, 0);
}

interface Page<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Reads a whole list `first` at a time, as a client would. */
async function readAll<T>(keyId: string, field: string, args: string, selection: string, first: number): Promise<{ items: T[]; pages: Page<T>[] }> {
  const items: T[] = [];
  const pages: Page<T>[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const response: { body: { data?: Record<string, Page<T>> | null; errors?: unknown[] } } = await as<Record<string, Page<T>>>(
      keyId,
      `query($after: String) { ${field}(first: ${first}, after: $after${args}) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    expect(response.body.errors).toBeUndefined();
    const page: Page<T> = response.body.data![field]!;
    pages.push(page);
    items.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return { items, pages };
    after = page.pageInfo.endCursor;
  }
  throw new Error('the list never ended');
}

describe('mutations', () => {
  it('lets a principal snapshot a cache its patterns name, in any case', async () => {
    const { body } = await as('valkey-team', CREATE, { n: 'team-own', c: 'Demo-Valkey' });
    expect(body.data?.createServerlessCacheSnapshot?.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
  });

  it('refuses a cache outside the patterns with FORBIDDEN on the field, before any AWS call', async () => {
    const before = await awsCalls();
    const { status, body } = await as('valkey-team', CREATE, { n: 'not-mine', c: 'demo-redis' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ createServerlessCacheSnapshot: null });
    expect(body.errors).toEqual([expect.objectContaining({ path: ['createServerlessCacheSnapshot'], extensions: { code: 'FORBIDDEN' } })]);
    expect(await awsCalls()).toBe(before);
  });

  it('answers an existing and a missing forbidden cache alike: no existence oracle', async () => {
    const existing = await as('valkey-team', CREATE, { n: 'probe-1', c: 'demo-redis' });
    const missing = await as('valkey-team', CREATE, { n: 'probe-2', c: 'demo-nothing-here' });
    const shape = (response: typeof existing, name: string) => JSON.stringify(response.body).replaceAll(name, 'NAME');
    expect(shape(existing, 'demo-redis')).toBe(shape(missing, 'demo-nothing-here'));
    // An allowed name that does not exist is AWS's answer, as before.
    const allowedMissing = await as('valkey-team', CREATE, { n: 'probe-3', c: 'demo-missing' });
    expect(allowedMissing.body.data?.createServerlessCacheSnapshot?.__typename).toBe('ServerlessCacheNotFoundFault');
  });

  it('refuses a principal without snapshots:write, even on a cache it may read', async () => {
    const before = await awsCalls();
    const { body } = await as('reader', CREATE, { n: 'read-only', c: 'demo-valkey' });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', requiredScope: 'snapshots:write' });
    expect(await awsCalls()).toBe(before);
  });

  it('refuses each aliased mutation on its own, and runs the allowed ones', async () => {
    const { body } = await as<Record<string, { __typename: string } | null>>(
      'valkey-team',
      `mutation {
        mine: createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "alias-mine", serverlessCacheName: "demo-valkey"}) { __typename }
        theirs: createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "alias-theirs", serverlessCacheName: "demo-redis"}) { __typename }
      }`,
    );
    expect(body.data).toEqual({ mine: { __typename: 'CreateServerlessCacheSnapshotSuccess' }, theirs: null });
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['theirs'], 'FORBIDDEN']]);
  });

  it('writes one audit line per mutation, allowed or denied, without the key', async () => {
    gateway.logs.length = 0;
    await as('valkey-team', CREATE, { n: 'audited', c: 'demo-valkey' });
    await as('valkey-team', CREATE, { n: 'audited-denied', c: 'demo-redis' });
    const audit = gateway.logs.filter((line) => line.audit === true);
    expect(audit).toEqual([
      expect.objectContaining({
        principal: { kind: 'api-key', id: 'valkey-team' },
        operation: 'createServerlessCacheSnapshot',
        serverlessCacheName: 'demo-valkey',
        serverlessCacheSnapshotName: 'audited',
        outcome: 'CreateServerlessCacheSnapshotSuccess',
        awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        requestId: expect.any(String),
      }),
      expect.objectContaining({ principal: { kind: 'api-key', id: 'valkey-team' }, serverlessCacheName: 'demo-redis', outcome: 'FORBIDDEN', awsRequestId: null }),
    ]);
    const log = JSON.stringify(gateway.logs);
    expect(log).not.toContain(keys['valkey-team']);
  });
});

describe('reads', () => {
  it('answers null for a cache outside the patterns, by name and by id, without asking AWS', async () => {
    const redis = await as<{ serverlessCache: { arn: string } }>('admin', '{ serverlessCache(name: "demo-redis") { arn } }');
    const arn = redis.body.data!.serverlessCache.arn;
    const before = await awsCalls();
    const { body } = await as('valkey-team', `{ byName: serverlessCache(name: "demo-redis") { arn } byId: node(id: "${arn}") { id } }`);
    expect(body).toEqual({ data: { byName: null, byId: null } });
    expect(await awsCalls()).toBe(before);
  });

  it('answers null for a snapshot taken from a forbidden cache, by name and by id', async () => {
    const admin = await as<{ serverlessCacheSnapshot: { arn: string } }>('admin', '{ serverlessCacheSnapshot(name: "demo-redis-snap-0") { arn } }');
    const arn = admin.body.data!.serverlessCacheSnapshot.arn;
    const { body } = await as('valkey-team', `{ byName: serverlessCacheSnapshot(name: "demo-redis-snap-0") { arn } byId: node(id: "${arn}") { id } }`);
    expect(body).toEqual({ data: { byName: null, byId: null } });
    const own = await as('valkey-team', '{ serverlessCacheSnapshot(name: "demo-valkey-snap-0") { serverlessCache { serverlessCacheName } } }');
    expect(own.body.data).toEqual({ serverlessCacheSnapshot: { serverlessCache: { serverlessCacheName: 'demo-valkey' } } });
  });

  it('leaves forbidden caches out of the cache list, on every page, with truthful pageInfo', async () => {
    const everything = await readAll<{ serverlessCacheName: string }>('admin', 'serverlessCaches', '', 'serverlessCacheName', 1);
    const expected = everything.items.map((c) => c.serverlessCacheName).filter((name) => name === 'demo-valkey' || name.startsWith('demo-m'));
    const { items, pages } = await readAll<{ serverlessCacheName: string }>('valkey-team', 'serverlessCaches', '', 'serverlessCacheName', 1);
    expect(items.map((c) => c.serverlessCacheName)).toEqual(expected);
    expect(pages).toHaveLength(expected.length);
    expect(pages.every((p) => p.nodes.length === 1)).toBe(true);
  });

  it('leaves snapshots of forbidden caches out of the snapshot list, on every page, with truthful pageInfo', async () => {
    const selection = 'serverlessCacheSnapshotName serverlessCacheConfiguration { serverlessCacheName }';
    type Snap = { serverlessCacheSnapshotName: string; serverlessCacheConfiguration: { serverlessCacheName: string } };
    const everything = await readAll<Snap>('admin', 'serverlessCacheSnapshots', '', selection, 50);
    expect(everything.pages.length).toBeGreaterThan(1);
    const expected = everything.items.filter((s) => s.serverlessCacheConfiguration.serverlessCacheName === 'demo-valkey');
    expect(everything.items.length).toBeGreaterThan(expected.length);
    for (const first of [1, 7, 50]) {
      const { items, pages } = await readAll<Snap>('valkey-team', 'serverlessCacheSnapshots', '', selection, first);
      expect(items).toEqual(expected);
      // Every page is full except perhaps the last, and the last says nothing follows.
      expect(pages.slice(0, -1).every((p) => p.nodes.length === first)).toBe(true);
      expect(pages.at(-1)!.nodes.length).toBeGreaterThan(0);
    }
  });

  it('answers a filter on a forbidden cache exactly like one on a cache that does not exist', async () => {
    const before = await awsCalls();
    const forbidden = await as('valkey-team', '{ serverlessCacheSnapshots(serverlessCacheName: "demo-redis") { nodes { arn } } }');
    expect(await awsCalls()).toBe(before);
    const missing = await as('valkey-team', '{ serverlessCacheSnapshots(serverlessCacheName: "demo-nothing-here") { nodes { arn } } }');
    expect(forbidden.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'serverlessCacheName' });
    const shape = (response: typeof forbidden, name: string) => JSON.stringify(response.body.errors?.map(({ message, extensions }) => ({ message, extensions }))).replaceAll(name, 'NAME');
    expect(shape(forbidden, 'demo-redis')).toBe(shape(missing, 'demo-nothing-here'));
  });

  it('sees nothing with no cache patterns at all', async () => {
    const { body } = await as('nothing', '{ serverlessCaches { nodes { arn } pageInfo { hasNextPage } } serverlessCacheSnapshots { nodes { arn } pageInfo { hasNextPage } } }');
    expect(body.data).toEqual({
      serverlessCaches: { nodes: [], pageInfo: { hasNextPage: false } },
      serverlessCacheSnapshots: { nodes: [], pageInfo: { hasNextPage: false } },
    });
  });

  it('refuses reads to a principal without snapshots:read, on every read field, before any AWS call', async () => {
    const before = await awsCalls();
    for (const field of [
      'serverlessCache(name: "demo-valkey") { arn }',
      'serverlessCacheSnapshot(name: "demo-valkey-snap-0") { arn }',
      'node(id: "arn:aws:elasticache:us-east-1:123456789012:serverlesscache:demo-valkey") { id }',
      'serverlessCaches { nodes { arn } }',
      'serverlessCacheSnapshots { nodes { arn } }',
    ]) {
      const { body } = await as('writer-only', `{ ${field} }`);
      expect([field, body.errors?.map((e) => e.extensions?.code)]).toEqual([field, ['FORBIDDEN']]);
    }
    expect(await awsCalls()).toBe(before);
  });

  it("keeps AWS's request id in the audit line when AWS failed the mutation", async () => {
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', code: 'AccessDenied', status: 403 });
    gateway.logs.length = 0;
    const { body } = await as('valkey-team', CREATE, { n: 'denied-by-aws', c: 'demo-valkey' });
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ACCESS_DENIED');
    expect(gateway.logs.filter((l) => l.audit === true)).toEqual([
      expect.objectContaining({ outcome: 'UPSTREAM_ACCESS_DENIED', awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
    ]);
  });
});
