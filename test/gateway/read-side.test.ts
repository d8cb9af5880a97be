/**
 * The read side, end to end: queries through HTTP, the real SDK to the emulator, and the number of
 * AWS calls each query costs (read from the gateway's own upstream-call metric).
 */
import { startTestGateway, type TestGateway } from '../support/gateway';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ env: { EMULATOR_DAILY_SNAPSHOT_QUOTA: '100' } });
});
afterAll(async () => gateway.close());

const CREATE = 'mutation($n: String!, $c: String!) { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n, serverlessCacheName: $c}) { __typename } }';

async function createSnapshots(cache: string, prefix: string, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${String(i).padStart(2, '0')}`;
    const { body } = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(CREATE, { n: name, c: cache });
    expect(body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    names.push(name);
  }
  return names;
}

/** Upstream calls the gateway makes while `run` runs, per AWS operation. */
async function upstreamCalls(target: TestGateway, run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await target.metrics.upstreamCallCounts();
  await run();
  const after = await target.metrics.upstreamCallCounts();
  return Object.fromEntries(
    Object.entries(after)
      .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

describe('serverless caches', () => {
  it('lists the account\'s caches with the whole DescribeServerlessCaches shape', async () => {
    const { body } = await gateway.graphql<{ serverlessCaches: { nodes: Record<string, unknown>[]; pageInfo: unknown } }>(`{
      serverlessCaches {
        nodes {
          id serverlessCacheName arn description status createTime engine majorEngineVersion fullEngineVersion
          cacheUsageLimits { dataStorage { maximum minimum unit } ecpuPerSecond { maximum minimum } }
          endpoint { address port } readerEndpoint { address port }
          kmsKeyId storageEncryptionType securityGroupIds subnetIds userGroupId snapshotRetentionLimit dailySnapshotTime networkType
        }
        pageInfo { hasNextPage hasPreviousPage }
      }
    }`);
    expect(body.errors).toBeUndefined();
    const caches = body.data!.serverlessCaches.nodes;
    expect(caches.map((c) => [c.serverlessCacheName, c.engine, c.majorEngineVersion, c.status]).sort()).toEqual([
      ['demo-memcached', 'memcached', '1.6', 'available'],
      ['demo-modifying', 'valkey', '8', 'modifying'],
      ['demo-redis', 'redis', '7', 'available'],
      ['demo-valkey', 'valkey', '8', 'available'],
    ]);
    const valkey = caches.find((c) => c.serverlessCacheName === 'demo-valkey')!;
    expect(valkey).toMatchObject({
      id: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:demo-valkey',
      arn: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:demo-valkey',
      endpoint: { address: expect.any(String), port: expect.any(Number) },
      securityGroupIds: expect.arrayContaining([expect.stringMatching(/^sg-/)]),
      subnetIds: expect.arrayContaining([expect.stringMatching(/^subnet-/)]),
      cacheUsageLimits: { dataStorage: { unit: 'GB' } },
    });
    expect(body.data!.serverlessCaches.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
  });

  it('reads one cache by name, case-insensitively, and null for an unknown one', async () => {
    const { body } = await gateway.graphql('{ a: serverlessCache(name: "DEMO-Redis") { serverlessCacheName } b: serverlessCache(name: "ghost") { arn } }');
    expect(body).toEqual({ data: { a: { serverlessCacheName: 'demo-redis' }, b: null } });
  });

  it('pages through caches with first and after', async () => {
    type Page = { serverlessCaches: { nodes: { serverlessCacheName: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const query = 'query($after: String) { serverlessCaches(first: 3, after: $after) { nodes { serverlessCacheName } pageInfo { hasNextPage endCursor } } }';
    const first = (await gateway.graphql<Page>(query)).body.data!.serverlessCaches;
    const second = (await gateway.graphql<Page>(query, { after: first.pageInfo.endCursor })).body.data!.serverlessCaches;
    expect(first.nodes).toHaveLength(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.nodes).toHaveLength(1);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(new Set([...first.nodes, ...second.nodes].map((n) => n.serverlessCacheName)).size).toBe(4);
  });
});

describe('serverless cache snapshots as a connection', () => {
  let names: string[];
  beforeAll(async () => {
    names = await createSnapshots('demo-memcached', 'paging', 7);
  });

  type Page = {
    serverlessCacheSnapshots: {
      edges: { cursor: string; node: { serverlessCacheSnapshotName: string } }[];
      nodes: { serverlessCacheSnapshotName: string }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null; startCursor: string | null };
    };
  };
  const QUERY = `query($first: Int, $after: String, $cache: String) {
    serverlessCacheSnapshots(serverlessCacheName: $cache, first: $first, after: $after) {
      edges { cursor node { serverlessCacheSnapshotName } }
      nodes { serverlessCacheSnapshotName }
      pageInfo { hasNextPage endCursor startCursor }
    }
  }`;
  const page = async (variables: Record<string, unknown>) => {
    const { body } = await gateway.graphql<Page>(QUERY, { cache: 'demo-memcached', ...variables });
    expect(body.errors).toBeUndefined();
    return body.data!.serverlessCacheSnapshots;
  };

  it('walks every snapshot once, one AWS call per page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    const calls = await upstreamCalls(gateway, async () => {
      for (;;) {
        const p = await page({ first: 3, after });
        pages++;
        expect(p.nodes).toEqual(p.edges.map((e) => e.node));
        seen.push(...p.nodes.map((n) => n.serverlessCacheSnapshotName));
        if (!p.pageInfo.hasNextPage) break;
        after = p.pageInfo.endCursor;
      }
    });
    expect(seen.sort()).toEqual(names);
    expect(pages).toBe(3);
    expect(calls).toEqual({ DescribeServerlessCacheSnapshots: 3 });
  });

  it('resumes after any edge\'s cursor, not only the last one', async () => {
    const all = (await page({ first: 7 })).edges;
    const rest = await page({ first: 4, after: all[2]!.cursor });
    expect(rest.nodes.map((n) => n.serverlessCacheSnapshotName)).toEqual(all.slice(3).map((e) => e.node.serverlessCacheSnapshotName));
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('gives the cache\'s snapshots on the cache itself', async () => {
    const { body } = await gateway.graphql<{ serverlessCache: { snapshots: { nodes: { serverlessCacheSnapshotName: string }[] } } }>(
      '{ serverlessCache(name: "demo-memcached") { snapshots(first: 50, snapshotType: "manual") { nodes { serverlessCacheSnapshotName } } } }',
    );
    expect(body.data!.serverlessCache.snapshots.nodes.map((n) => n.serverlessCacheSnapshotName).sort()).toEqual(names);
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 51 }, 'first'],
    [{ after: 'not-a-cursor' }, 'after'],
  ])('refuses %p as BAD_USER_INPUT naming the argument, without calling AWS', async (variables, argumentName) => {
    const calls = await upstreamCalls(gateway, async () => {
      const { body } = await gateway.graphql(QUERY, { cache: 'demo-memcached', ...variables });
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName });
      expect(body.errors?.[0]?.message).toEqual(expect.any(String));
    });
    expect(calls).toEqual({});
  });

  it('refuses a cursor taken from another list', async () => {
    const cursor = (await page({ first: 1 })).pageInfo.endCursor;
    const { body } = await gateway.graphql(QUERY, { cache: 'demo-redis', after: cursor });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });

  it('answers a filter on an unknown cache with BAD_USER_INPUT', async () => {
    const { body } = await gateway.graphql(QUERY, { cache: 'ghost' });
    expect(body.errors?.[0]).toMatchObject({
      message: 'There is no serverless cache named "ghost".',
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'serverlessCacheName' },
    });
  });
});

describe('the mutation\'s answer', () => {
  it('is the same ServerlessCacheSnapshot type, so the source cache comes in the same round trip', async () => {
    const { body } = await gateway.graphql(
      `mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "round-trip", serverlessCacheName: "demo-redis"}) {
        ... on CreateServerlessCacheSnapshotSuccess { serverlessCacheSnapshot { id status serverlessCache { id status engine } } }
      } }`,
    );
    expect(body).toEqual({
      data: {
        createServerlessCacheSnapshot: {
          serverlessCacheSnapshot: {
            id: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:round-trip',
            status: 'creating',
            serverlessCache: { id: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:demo-redis', status: 'available', engine: 'redis' },
          },
        },
      },
    });
  });
});

describe('ids', () => {
  it('are ARNs, and node(id) gives the object back', async () => {
    await createSnapshots('demo-valkey', 'node', 1);
    const { body } = await gateway.graphql<{ s: { id: string }; c: { id: string } }>(
      '{ s: serverlessCacheSnapshot(name: "node-00") { id } c: serverlessCache(name: "demo-valkey") { id } }',
    );
    const { s, c } = body.data!;
    const nodes = await gateway.graphql(
      `query($s: ID!, $c: ID!) {
        s: node(id: $s) { __typename id ... on ServerlessCacheSnapshot { serverlessCacheSnapshotName } }
        c: node(id: $c) { __typename id ... on ServerlessCache { status } }
        other: node(id: "arn:aws:elasticache:eu-west-1:999999999999:serverlesscache:demo-valkey") { id }
        junk: node(id: "not-an-arn") { id }
      }`,
      { s: s.id, c: c.id },
    );
    expect(nodes.body).toEqual({
      data: {
        s: { __typename: 'ServerlessCacheSnapshot', id: s.id, serverlessCacheSnapshotName: 'node-00' },
        c: { __typename: 'ServerlessCache', id: c.id, status: 'available' },
        other: null,
        junk: null,
      },
    });
  });
});

describe('what a query costs in AWS calls', () => {
  beforeAll(async () => {
    await gateway.emulator.reset();
    // 50 snapshots from 3 caches.
    await createSnapshots('demo-valkey', 'cost-v', 17);
    await createSnapshots('demo-redis', 'cost-r', 17);
    await createSnapshots('demo-memcached', 'cost-m', 16);
  });

  const PAGE_WITH_CACHES = '{ serverlessCacheSnapshots(first: 50) { nodes { serverlessCacheSnapshotName serverlessCache { status } } } }';

  it('a page of 50 snapshots from 3 caches, each with its cache: one snapshot listing and one cache listing', async () => {
    const calls = await upstreamCalls(gateway, async () => {
      const { body } = await gateway.graphql<{ serverlessCacheSnapshots: { nodes: { serverlessCache: { status: string } }[] } }>(PAGE_WITH_CACHES);
      expect(body.data!.serverlessCacheSnapshots.nodes).toHaveLength(50);
      expect(body.data!.serverlessCacheSnapshots.nodes.every((n) => n.serverlessCache.status === 'available')).toBe(true);
    });
    expect(calls).toEqual({ DescribeServerlessCacheSnapshots: 1, DescribeServerlessCaches: 1 });
  });

  // Without batching each snapshot asks for its cache by name; the 17 identical reads of one cache,
  // all in flight at once, are sent once and shared (src/elasticache/read-sharing.ts).
  it('the same query without batching costs 4 calls: one per distinct cache', async () => {
    const unbatched = await startTestGateway({ env: { UPSTREAM_BATCHING: 'false' }, endpointOverride: gateway.emulator.url });
    try {
      const calls = await upstreamCalls(unbatched, () => unbatched.graphql(PAGE_WITH_CACHES));
      expect(calls).toEqual({ DescribeServerlessCacheSnapshots: 1, DescribeServerlessCaches: 3 });
    } finally {
      await unbatched.close();
    }
  });

  it('the same cache asked for twice in a request is fetched once, with a call by name', async () => {
    const calls = await upstreamCalls(gateway, () =>
      gateway.graphql('{ a: serverlessCache(name: "demo-valkey") { status } b: serverlessCache(name: "DEMO-VALKEY") { engine } }'),
    );
    expect(calls).toEqual({ DescribeServerlessCaches: 1 });
  });

  it('two different caches in the same request cost one listing, which also answers unknown names', async () => {
    let body: unknown;
    const calls = await upstreamCalls(gateway, async () => {
      body = (await gateway.graphql('{ a: serverlessCache(name: "demo-valkey") { status } b: serverlessCache(name: "ghost") { status } }')).body;
    });
    expect(body).toEqual({ data: { a: { status: 'available' }, b: null } });
    expect(calls).toEqual({ DescribeServerlessCaches: 1 });
  });

  it('a cache with its snapshots and each snapshot\'s cache: the cache is read once', async () => {
    const calls = await upstreamCalls(gateway, () =>
      gateway.graphql('{ serverlessCache(name: "demo-redis") { status snapshots(first: 20) { nodes { serverlessCache { engine } } } } }'),
    );
    expect(calls).toEqual({ DescribeServerlessCaches: 1, DescribeServerlessCacheSnapshots: 1 });
  });

  it('caches returned by a listing are not read again: all caches, their snapshots, and each snapshot\'s cache', async () => {
    const calls = await upstreamCalls(gateway, () =>
      gateway.graphql('{ serverlessCaches { nodes { snapshots(first: 5) { nodes { serverlessCache { status } } } } } }'),
    );
    expect(calls).toEqual({ DescribeServerlessCaches: 1, DescribeServerlessCacheSnapshots: 4 });
  });
});
