/** DescribeServerlessCacheSnapshots and DescribeServerlessCaches through the real SDK, paginators included. */
import {
  CreateServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  DescribeServerlessCachesCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ServerlessCacheNotFoundFault,
  ServerlessCacheSnapshotNotFoundFault,
  paginateDescribeServerlessCacheSnapshots,
  paginateDescribeServerlessCaches,
  type DescribeServerlessCacheSnapshotsCommandInput,
} from '@aws-sdk/client-elasticache';
import { adminCall, expectFault, injectFault, useEmulator } from './helpers';

const env = useEmulator();

const create = (name: string, cache = 'demo-valkey') =>
  env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: cache }));

async function createMany(names: string[], cache = 'demo-valkey'): Promise<void> {
  for (let i = 0; i < names.length; i += 10) await Promise.all(names.slice(i, i + 10).map((n) => create(n, cache)));
}

const ipv = { name: 'InvalidParameterValueException', status: 400, errorClass: InvalidParameterValueException };

describe('DescribeServerlessCacheSnapshots', () => {
  it('lists nothing on a fresh emulator, as an empty list', async () => {
    const out = await env.client.send(new DescribeServerlessCacheSnapshotsCommand({}));
    expect(out.ServerlessCacheSnapshots).toEqual([]);
    expect(out.NextToken).toBeUndefined();
  });

  it('lists all snapshots in creation order', async () => {
    await create('b-first');
    await create('a-second', 'demo-redis');
    const out = await env.client.send(new DescribeServerlessCacheSnapshotsCommand({}));
    expect(out.ServerlessCacheSnapshots?.map((s) => s.ServerlessCacheSnapshotName)).toEqual(['b-first', 'a-second']);
    expect(out.ServerlessCacheSnapshots?.[1]).toMatchObject({
      ARN: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:a-second',
      SnapshotType: 'manual',
      Status: 'creating',
      BytesUsedForCache: '52428800',
      ServerlessCacheConfiguration: { ServerlessCacheName: 'demo-redis', Engine: 'redis', MajorEngineVersion: '7' },
    });
  });

  it('combines filters with AND', async () => {
    await create('v1');
    await create('v2');
    await create('r1', 'demo-redis');
    const names = async (input: DescribeServerlessCacheSnapshotsCommandInput) =>
      (await env.client.send(new DescribeServerlessCacheSnapshotsCommand(input))).ServerlessCacheSnapshots?.map((s) => s.ServerlessCacheSnapshotName);
    expect(await names({ ServerlessCacheName: 'DEMO-VALKEY' })).toEqual(['v1', 'v2']);
    expect(await names({ ServerlessCacheSnapshotName: 'R1' })).toEqual(['r1']);
    expect(await names({ ServerlessCacheName: 'demo-valkey', ServerlessCacheSnapshotName: 'r1' })).toEqual([]);
    expect(await names({ ServerlessCacheName: 'demo-redis', SnapshotType: 'manual' })).toEqual(['r1']);
    expect(await names({ SnapshotType: 'automated' })).toEqual([]);
    expect(await names({ ServerlessCacheName: 'demo-memcached' })).toEqual([]);
  });

  it('ServerlessCacheNotFoundFault for an unknown cache filter', async () => {
    const e = await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheName: 'ghost' })), {
      name: 'ServerlessCacheNotFoundFault',
      status: 404,
      errorClass: ServerlessCacheNotFoundFault,
    });
    expect(e.message).toBe('Serverless cache ghost not found.');
  });

  it('ServerlessCacheSnapshotNotFoundFault for an unknown snapshot name', async () => {
    const e = await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: 'ghost' })), {
      name: 'ServerlessCacheSnapshotNotFoundFault',
      status: 404,
      errorClass: ServerlessCacheSnapshotNotFoundFault,
    });
    expect(e.message).toBe('Serverless cache snapshot ghost not found.');
  });

  it('InvalidParameterCombination, reachable by injection', async () => {
    await injectFault(env.emulator.url, { action: 'DescribeServerlessCacheSnapshots', code: 'InvalidParameterCombinationException' });
    await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({})), {
      name: 'InvalidParameterCombinationException',
      status: 400,
      errorClass: InvalidParameterCombinationException,
    });
  });

  it.each([0, 51, -1])('rejects MaxResults %i (allowed 1..50)', async (MaxResults) => {
    const e = await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({ MaxResults })), ipv);
    expect(e.message).toMatch(/MaxResults must be between 1 and 50/);
  });

  it('rejects an unknown SnapshotType and a malformed NextToken', async () => {
    await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({ SnapshotType: 'weekly' })), ipv);
    const e = await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({ NextToken: 'not-a-token' })), ipv);
    expect(e.message).toMatch(/NextToken is not a valid pagination token/);
  });

  it('rejects a DescribeServerlessCaches token', async () => {
    const page = await env.client.send(new DescribeServerlessCachesCommand({ MaxResults: 1 }));
    expect(page.NextToken).toBeDefined();
    await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({ NextToken: page.NextToken })), ipv);
  });

  it('pages through more than 50 snapshots with the SDK paginator, 50 by default', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `page-${String(i).padStart(3, '0')}`);
    await createMany(names);
    const first = await env.client.send(new DescribeServerlessCacheSnapshotsCommand({}));
    expect(first.ServerlessCacheSnapshots).toHaveLength(50);
    expect(first.NextToken).toEqual(expect.any(String));

    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateDescribeServerlessCacheSnapshots({ client: env.client }, { ServerlessCacheName: 'demo-valkey' })) {
      sizes.push(page.ServerlessCacheSnapshots?.length ?? 0);
      seen.push(...(page.ServerlessCacheSnapshots ?? []).map((s) => s.ServerlessCacheSnapshotName ?? ''));
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect([...seen].sort()).toEqual(names);

    const small: number[] = [];
    for await (const page of paginateDescribeServerlessCacheSnapshots({ client: env.client, pageSize: 7 }, {})) small.push(page.ServerlessCacheSnapshots?.length ?? 0);
    expect(small).toHaveLength(18);
    expect(small.reduce((a, b) => a + b, 0)).toBe(120);
  });

  it('keeps paging stable while snapshots are created between pages', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `stable-${String(i).padStart(2, '0')}`);
    await createMany(names);
    const seen: string[] = [];
    const added: string[] = [];
    for await (const page of paginateDescribeServerlessCacheSnapshots({ client: env.client, pageSize: 25 }, {})) {
      seen.push(...(page.ServerlessCacheSnapshots ?? []).map((s) => s.ServerlessCacheSnapshotName ?? ''));
      if (added.length < 6) {
        // Names that would sort first by name alone: an offset-based token would repeat items.
        const more = [`aaa-${added.length}`, `aab-${added.length}`];
        await createMany(more, 'demo-redis');
        added.push(...more);
      }
    }
    expect(new Set(seen).size).toBe(seen.length);
    // Every snapshot that existed when paging began is listed exactly once; new ones may follow.
    expect(seen.filter((n) => n.startsWith('stable-')).sort()).toEqual(names);
    for (const name of seen.filter((n) => !n.startsWith('stable-'))) expect(added).toContain(name);
  });
});

describe('DescribeServerlessCaches', () => {
  it('lists every seeded cache as <member> items with the whole ServerlessCache shape', async () => {
    const out = await env.client.send(new DescribeServerlessCachesCommand({}));
    expect(out.NextToken).toBeUndefined();
    expect(out.ServerlessCaches?.map((c) => [c.ServerlessCacheName, c.Engine, c.MajorEngineVersion, c.Status])).toEqual([
      ['demo-memcached', 'memcached', '1.6', 'available'],
      ['demo-modifying', 'valkey', '8', 'modifying'],
      ['demo-redis', 'redis', '7', 'available'],
      ['demo-valkey', 'valkey', '8', 'available'],
    ]);
    const valkey = out.ServerlessCaches?.find((c) => c.ServerlessCacheName === 'demo-valkey');
    expect(valkey).toEqual({
      ServerlessCacheName: 'demo-valkey',
      Description: 'Demo Valkey cache',
      CreateTime: new Date('2025-01-15T09:30:00.000Z'),
      Status: 'available',
      Engine: 'valkey',
      MajorEngineVersion: '8',
      FullEngineVersion: '8.0',
      CacheUsageLimits: { DataStorage: { Maximum: 10, Minimum: 1, Unit: 'GB' }, ECPUPerSecond: { Maximum: 15000, Minimum: 1000 } },
      KmsKeyId: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//) as string,
      StorageEncryptionType: 'sse-kms',
      SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
      Endpoint: { Address: expect.stringMatching(/^demo-valkey-[0-9a-f]{6}\.serverless\.use1\.cache\.amazonaws\.com$/) as string, Port: 6379 },
      ReaderEndpoint: { Address: expect.stringMatching(/^demo-valkey-/) as string, Port: 6380 },
      ARN: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:demo-valkey',
      UserGroupId: 'demo-user-group',
      SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
      SnapshotRetentionLimit: 7,
      DailySnapshotTime: '04:00',
      NetworkType: 'ipv4',
    });
    const memcached = out.ServerlessCaches?.find((c) => c.ServerlessCacheName === 'demo-memcached');
    expect(memcached).toMatchObject({ StorageEncryptionType: 'sse-elasticache', Endpoint: { Port: 11211 } });
    expect(memcached?.ReaderEndpoint).toBeUndefined();
    expect(memcached?.KmsKeyId).toBeUndefined();
  });

  it('describes one cache by name, case-insensitively, and reflects status changes', async () => {
    await adminCall(env.emulator.url, 'PUT', '/caches/demo-redis/status', { status: 'deleting' });
    const out = await env.client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'Demo-Redis' }));
    expect(out.ServerlessCaches?.map((c) => [c.ServerlessCacheName, c.Status])).toEqual([['demo-redis', 'deleting']]);
  });

  it('ServerlessCacheNotFoundFault for an unknown name', async () => {
    const e = await expectFault(env.client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'ghost' })), {
      name: 'ServerlessCacheNotFoundFault',
      status: 404,
      errorClass: ServerlessCacheNotFoundFault,
    });
    expect(e.message).toBe('Serverless cache ghost not found.');
  });

  it('InvalidParameterCombination, reachable by injection', async () => {
    await injectFault(env.emulator.url, { action: 'DescribeServerlessCaches', code: 'InvalidParameterCombination' });
    await expectFault(env.client.send(new DescribeServerlessCachesCommand({})), { name: 'InvalidParameterCombinationException', status: 400 });
  });

  it('pages with MaxResults 1..100 and the SDK paginator', async () => {
    const names: string[] = [];
    for await (const page of paginateDescribeServerlessCaches({ client: env.client, pageSize: 1 }, {})) {
      expect(page.ServerlessCaches).toHaveLength(1);
      names.push(page.ServerlessCaches?.[0]?.ServerlessCacheName ?? '');
    }
    expect(names).toEqual(['demo-memcached', 'demo-modifying', 'demo-redis', 'demo-valkey']);
    expect((await env.client.send(new DescribeServerlessCachesCommand({ MaxResults: 100 }))).ServerlessCaches).toHaveLength(4);
    await expectFault(env.client.send(new DescribeServerlessCachesCommand({ MaxResults: 101 })), ipv);
    await expectFault(env.client.send(new DescribeServerlessCachesCommand({ MaxResults: 0 })), ipv);
    await expectFault(env.client.send(new DescribeServerlessCachesCommand({ NextToken: 'bad' })), ipv);
  });
});
