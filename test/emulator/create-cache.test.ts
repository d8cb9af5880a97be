/** CreateServerlessCache (empty, and restored from snapshots) through the real SDK: success, transitions, every modeled fault. */
import {
  CreateServerlessCacheCommand,
  CreateServerlessCacheSnapshotCommand,
  DescribeServerlessCachesCommand,
  ElastiCacheClient,
  InvalidCredentialsException,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  InvalidServerlessCacheStateFault,
  InvalidUserGroupStateFault,
  ListTagsForResourceCommand,
  ServerlessCacheAlreadyExistsFault,
  ServerlessCacheNotFoundFault,
  ServerlessCacheQuotaForCustomerExceededFault,
  ServiceLinkedRoleNotFoundFault,
  TagQuotaPerResourceExceeded,
  UserGroupNotFoundFault,
  type CreateServerlessCacheCommandInput,
} from '@aws-sdk/client-elasticache';
import type { RunningEmulator } from '../../src/emulator';
import { adminCall, cacheArnOf, expectFault, injectFault, sdkClient, snapshotArnOf, start, useClockedEmulator } from './helpers';

const env = useClockedEmulator({ snapshotAvailableAfterMs: 1000, cacheAvailableAfterMs: 3000 });

const createCache = (input: Partial<CreateServerlessCacheCommandInput>) =>
  env.client.send(new CreateServerlessCacheCommand(input as CreateServerlessCacheCommandInput));
const cacheStatus = async (name: string) => (await env.client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: name }))).ServerlessCaches?.[0]?.Status;

async function availableSnapshot(name: string, cache: string): Promise<void> {
  await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: cache }));
  env.clock.advance(1000);
}

const ipv = { name: 'InvalidParameterValueException', status: 400, errorClass: InvalidParameterValueException };
const combination = { name: 'InvalidParameterCombinationException', status: 400, errorClass: InvalidParameterCombinationException };

describe('an empty cache', () => {
  it('answers the new cache, creating, with defaults for what the request leaves out', async () => {
    const out = await createCache({ ServerlessCacheName: 'Fresh-Cache', Engine: 'valkey' });
    expect(out.ServerlessCache).toEqual({
      ServerlessCacheName: 'fresh-cache',
      Description: '',
      CreateTime: new Date(env.clock.now),
      Status: 'creating',
      Engine: 'valkey',
      MajorEngineVersion: '9',
      FullEngineVersion: '9.0',
      StorageEncryptionType: 'sse-elasticache',
      SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
      Endpoint: { Address: expect.stringMatching(/^fresh-cache-[0-9a-f]{6}\.serverless\.use1\.cache\.amazonaws\.com$/), Port: 6379 },
      ReaderEndpoint: { Address: expect.stringMatching(/^fresh-cache-/), Port: 6380 },
      ARN: cacheArnOf('fresh-cache'),
      SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
      SnapshotRetentionLimit: 0,
      NetworkType: 'ipv4',
    });
  });

  it('takes every member the request gives', async () => {
    const out = await createCache({
      ServerlessCacheName: 'full',
      Engine: 'redis',
      Description: 'Sessions & carts',
      MajorEngineVersion: '7',
      CacheUsageLimits: { DataStorage: { Minimum: 2, Maximum: 20, Unit: 'GB' }, ECPUPerSecond: { Maximum: 50_000 } },
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      SecurityGroupIds: ['sg-1', 'sg-2'],
      SubnetIds: ['subnet-a', 'subnet-b'],
      UserGroupId: 'demo-user-group',
      SnapshotRetentionLimit: 35,
      DailySnapshotTime: '23:59',
      NetworkType: 'dual_stack',
      Tags: [{ Key: 'env', Value: 'test' }],
    });
    expect(out.ServerlessCache).toMatchObject({
      Description: 'Sessions & carts',
      Engine: 'redis',
      MajorEngineVersion: '7',
      FullEngineVersion: '7.1',
      CacheUsageLimits: { DataStorage: { Minimum: 2, Maximum: 20, Unit: 'GB' }, ECPUPerSecond: { Maximum: 50_000 } },
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      StorageEncryptionType: 'sse-kms',
      SecurityGroupIds: ['sg-1', 'sg-2'],
      SubnetIds: ['subnet-a', 'subnet-b'],
      UserGroupId: 'demo-user-group',
      SnapshotRetentionLimit: 35,
      DailySnapshotTime: '23:59',
      NetworkType: 'dual_stack',
    });
    expect(out.ServerlessCache?.CacheUsageLimits?.ECPUPerSecond?.Minimum).toBeUndefined();
    expect((await env.client.send(new ListTagsForResourceCommand({ ResourceName: cacheArnOf('full') }))).TagList).toEqual([{ Key: 'env', Value: 'test' }]);
  });

  it('a Memcached cache has no reader endpoint', async () => {
    const out = await createCache({ ServerlessCacheName: 'mc', Engine: 'memcached' });
    expect(out.ServerlessCache).toMatchObject({ MajorEngineVersion: '1.6', FullEngineVersion: '1.6.22', Endpoint: { Port: 11211 } });
    expect(out.ServerlessCache?.ReaderEndpoint).toBeUndefined();
  });

  it('becomes available after cacheAvailableAfterMs; snapshots can be taken from it only then', async () => {
    await createCache({ ServerlessCacheName: 'later', Engine: 'valkey', MajorEngineVersion: '8' });
    const snap = () => env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'of-later', ServerlessCacheName: 'later' }));
    await expectFault(snap(), { name: 'InvalidServerlessCacheStateFault', status: 400, errorClass: InvalidServerlessCacheStateFault });
    env.clock.advance(2999);
    expect(await cacheStatus('later')).toBe('creating');
    env.clock.advance(1);
    expect(await cacheStatus('later')).toBe('available');
    const out = await snap();
    expect(out.ServerlessCacheSnapshot).toMatchObject({ BytesUsedForCache: '0', ServerlessCacheConfiguration: { ServerlessCacheName: 'later', Engine: 'valkey', MajorEngineVersion: '8' } });
  });
});

describe('restore from snapshots', () => {
  it("takes the engine version and the data from the snapshot; only the request's tags are stored", async () => {
    await env.client.send(
      new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'base', ServerlessCacheName: 'demo-redis', Tags: [{ Key: 'snap', Value: 'tag' }] }),
    );
    env.clock.advance(1000);
    const out = await createCache({ ServerlessCacheName: 'restored', Engine: 'redis', SnapshotArnsToRestore: [snapshotArnOf('BASE')], Tags: [{ Key: 'mine' }] });
    expect(out.ServerlessCache).toMatchObject({ ServerlessCacheName: 'restored', Status: 'creating', Engine: 'redis', MajorEngineVersion: '7' });
    expect((await adminCall<{ bytesUsed: number }>(env.emulator.url, 'GET', '/caches/restored')).body).toMatchObject({ bytesUsed: 52_428_800, status: 'creating' });
    expect((await env.client.send(new ListTagsForResourceCommand({ ResourceName: cacheArnOf('restored') }))).TagList).toEqual([{ Key: 'mine' }]);
    env.clock.advance(3000);
    const snap = await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'of-restored', ServerlessCacheName: 'restored' }));
    expect(snap.ServerlessCacheSnapshot?.BytesUsedForCache).toBe('52428800');
  });

  it('restores several snapshots of one engine and version, adding their data', async () => {
    await availableSnapshot('a', 'demo-valkey');
    await availableSnapshot('b', 'demo-valkey');
    const out = await createCache({ ServerlessCacheName: 'merged', Engine: 'VALKEY', MajorEngineVersion: '8', SnapshotArnsToRestore: [snapshotArnOf('a'), snapshotArnOf('b')] });
    expect(out.ServerlessCache).toMatchObject({ Engine: 'valkey', MajorEngineVersion: '8', FullEngineVersion: '8.0' });
    // KmsKeyId is the request's: nothing is taken from the (encrypted) snapshots.
    expect(out.ServerlessCache?.KmsKeyId).toBeUndefined();
    expect((await adminCall<{ bytesUsed: number }>(env.emulator.url, 'GET', '/caches/merged')).body.bytesUsed).toBe(2 * 157_286_400);
  });

  it('leaves the snapshots as they were', async () => {
    await availableSnapshot('kept', 'demo-redis');
    await createCache({ ServerlessCacheName: 'r', Engine: 'redis', SnapshotArnsToRestore: [snapshotArnOf('kept')] });
    expect((await adminCall<{ status: string }>(env.emulator.url, 'GET', '/snapshots/kept')).body.status).toBe('available');
  });
});

describe('input rules: InvalidParameterValue, before anything is looked up', () => {
  it.each<[string, Partial<CreateServerlessCacheCommandInput>, string | RegExp]>([
    ['no name', { Engine: 'valkey' }, 'The parameter ServerlessCacheName must be provided.'],
    ['no engine', { ServerlessCacheName: 'demo-valkey' }, 'The parameter Engine must be provided.'],
    ['a 256-character name', { ServerlessCacheName: 'n'.repeat(256), Engine: 'valkey' }, 'The parameter ServerlessCacheName must be between 1 and 255 characters long; it is 256.'],
    ['a 256-character description', { ServerlessCacheName: 'c', Engine: 'valkey', Description: 'd'.repeat(256) }, 'The parameter Description must be at most 255 characters long; it is 256.'],
    ['a retention of 36 days', { ServerlessCacheName: 'c', Engine: 'valkey', SnapshotRetentionLimit: 36 }, /SnapshotRetentionLimit must be a whole number of days between 0 and 35; it is 36/],
    ['a negative retention', { ServerlessCacheName: 'c', Engine: 'valkey', SnapshotRetentionLimit: -1 }, /between 0 and 35; it is -1/],
    ['an aws: tag', { ServerlessCacheName: 'c', Engine: 'valkey', Tags: [{ Key: 'aws:x' }] }, 'Tags.Tag.1.Key: the aws: prefix is reserved for AWS use.'],
    ['an unknown engine', { ServerlessCacheName: 'c', Engine: 'mongodb' }, 'The parameter Engine must be one of valkey, redis, memcached.'],
    ['a version the engine lacks', { ServerlessCacheName: 'c', Engine: 'redis', MajorEngineVersion: '6' }, 'The parameter MajorEngineVersion must be one of 7 for redis.'],
    ['an unknown network type', { ServerlessCacheName: 'c', Engine: 'valkey', NetworkType: 'ipx' as 'ipv4' }, /NetworkType must be one of ipv4, ipv6, dual_stack/],
    ['a daily snapshot time that is no time of day', { ServerlessCacheName: 'c', Engine: 'valkey', DailySnapshotTime: '24:00' }, /DailySnapshotTime must be a time of day as HH:MM/],
    [
      'a storage minimum above the maximum',
      { ServerlessCacheName: 'c', Engine: 'valkey', CacheUsageLimits: { DataStorage: { Minimum: 10, Maximum: 5, Unit: 'GB' } } },
      'The parameter CacheUsageLimits.DataStorage.Minimum (10) must not exceed CacheUsageLimits.DataStorage.Maximum (5).',
    ],
    [
      'a storage limit beyond 5000 GB',
      { ServerlessCacheName: 'c', Engine: 'valkey', CacheUsageLimits: { DataStorage: { Maximum: 5001, Unit: 'GB' } } },
      /DataStorage.Maximum must be between 1 and 5000; it is 5001/,
    ],
    ['a storage limit without its unit', { ServerlessCacheName: 'c', Engine: 'valkey', CacheUsageLimits: { DataStorage: { Maximum: 5 } as { Maximum: number; Unit: 'GB' } } }, /Unit must be provided/],
    ['an ECPU limit under 1000', { ServerlessCacheName: 'c', Engine: 'valkey', CacheUsageLimits: { ECPUPerSecond: { Maximum: 999 } } }, /ECPUPerSecond.Maximum must be between 1000 and 15000000/],
    ['a malformed snapshot ARN', { ServerlessCacheName: 'c', Engine: 'valkey', SnapshotArnsToRestore: ['not-an-arn'] }, /SnapshotArnsToRestore.SnapshotArn.1 \(not-an-arn\) is not a serverless cache snapshot ARN of this endpoint: it is not an ARN/],
    [
      'a node-based snapshot ARN',
      { ServerlessCacheName: 'c', Engine: 'valkey', SnapshotArnsToRestore: ['arn:aws:elasticache:us-east-1:123456789012:snapshot:old'] },
      /it names a snapshot, not a serverless cache snapshot/,
    ],
    ['an ARN of another region', { ServerlessCacheName: 'c', Engine: 'valkey', SnapshotArnsToRestore: [snapshotArnOf('x', 'eu-west-1')] }, /it names the region eu-west-1; this endpoint serves us-east-1/],
    [
      'an ARN of another account',
      { ServerlessCacheName: 'c', Engine: 'valkey', SnapshotArnsToRestore: ['arn:aws:elasticache:us-east-1:999999999999:serverlesscachesnapshot:x'] },
      /it names the account 999999999999/,
    ],
    ['the same snapshot twice', { ServerlessCacheName: 'c', Engine: 'valkey', SnapshotArnsToRestore: [snapshotArnOf('x'), snapshotArnOf('X')] }, /SnapshotArn.2 .* names a snapshot already given/],
  ])('refuses %s', async (_label, input, message) => {
    const e = await expectFault(createCache(input), ipv);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    expect((await adminCall(env.emulator.url, 'GET', '/caches/c')).status).toBe(404);
  });

  it('refuses 51 tags with TagQuotaPerResourceExceeded', async () => {
    const Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}` }));
    await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'valkey', Tags }), { name: 'TagQuotaPerResourceExceeded', status: 400, errorClass: TagQuotaPerResourceExceeded });
  });
});

describe('faults from the account, in check order', () => {
  it('ServerlessCacheAlreadyExistsFault for a taken name, compared lower-cased', async () => {
    const e = await expectFault(createCache({ ServerlessCacheName: 'Demo-Valkey', Engine: 'valkey' }), {
      name: 'ServerlessCacheAlreadyExistsFault',
      status: 400,
      errorClass: ServerlessCacheAlreadyExistsFault,
    });
    expect(e.message).toBe('Serverless cache demo-valkey already exists.');
  });

  it('InvalidParameterValue for an unknown snapshot, and for one that is not available (the model has no snapshot fault here)', async () => {
    const unknown = await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'valkey', SnapshotArnsToRestore: [snapshotArnOf('ghost')] }), ipv);
    expect(unknown.message).toMatch(/serverless cache snapshot ghost does not exist/);
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'young', ServerlessCacheName: 'demo-valkey' }));
    const young = await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'valkey', SnapshotArnsToRestore: [snapshotArnOf('young')] }), ipv);
    expect(young.message).toMatch(/serverless cache snapshot young is creating; only an available snapshot can be restored/);
  });

  it('InvalidParameterCombination when Engine or MajorEngineVersion contradict the snapshots, or the snapshots each other', async () => {
    await availableSnapshot('redis-7', 'demo-redis');
    await availableSnapshot('valkey-8', 'demo-valkey');
    const engine = await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'valkey', SnapshotArnsToRestore: [snapshotArnOf('redis-7')] }), combination);
    expect(engine.message).toBe('Engine valkey does not match SnapshotArnsToRestore.SnapshotArn.1: serverless cache snapshot redis-7 is redis 7.');
    const version = await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'valkey', MajorEngineVersion: '7', SnapshotArnsToRestore: [snapshotArnOf('valkey-8')] }), combination);
    expect(version.message).toMatch(/Engine valkey 7 does not match/);
    await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'redis', SnapshotArnsToRestore: [snapshotArnOf('redis-7'), snapshotArnOf('valkey-8')] }), combination);
  });

  it('InvalidParameterCombination for a user group on Memcached; UserGroupNotFound (404) for an unknown one', async () => {
    const memcached = await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'memcached', UserGroupId: 'demo-user-group' }), combination);
    expect(memcached.message).toMatch(/UserGroupId cannot be used with the memcached engine/);
    const e = await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'valkey', UserGroupId: 'nobody' }), {
      name: 'UserGroupNotFoundFault',
      status: 404,
      errorClass: UserGroupNotFoundFault,
    });
    expect(e.message).toBe('User group nobody not found.');
  });

  it('the rest, reachable by injection', async () => {
    const faults: [string, string, number, abstract new (...args: never[]) => Error][] = [
      ['ServerlessCacheNotFoundFault', 'ServerlessCacheNotFoundFault', 404, ServerlessCacheNotFoundFault],
      ['InvalidServerlessCacheStateFault', 'InvalidServerlessCacheStateFault', 400, InvalidServerlessCacheStateFault],
      ['InvalidCredentialsException', 'InvalidCredentialsException', 408, InvalidCredentialsException],
      ['InvalidUserGroupState', 'InvalidUserGroupStateFault', 400, InvalidUserGroupStateFault],
      ['ServiceLinkedRoleNotFoundFault', 'ServiceLinkedRoleNotFoundFault', 400, ServiceLinkedRoleNotFoundFault],
    ];
    for (const [code] of faults) await injectFault(env.emulator.url, { action: 'CreateServerlessCache', code });
    for (const [, name, status, errorClass] of faults) await expectFault(createCache({ ServerlessCacheName: 'c', Engine: 'valkey' }), { name, status, errorClass });
    await createCache({ ServerlessCacheName: 'c', Engine: 'valkey' });
  });
});

describe('the per-region cache quota', () => {
  let small: RunningEmulator;
  let client: ElastiCacheClient;
  beforeAll(async () => {
    small = await start({ serverlessCacheQuota: 6 });
    client = sdkClient(small.url);
  });
  afterAll(async () => {
    client.destroy();
    await small.close();
  });

  it('counts every cache (the four seeds included); ServerlessCacheQuotaForCustomerExceededFault comes last', async () => {
    await client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'five', Engine: 'valkey' }));
    await client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'six', Engine: 'valkey' }));
    const e = await expectFault(client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'seven', Engine: 'valkey' })), {
      name: 'ServerlessCacheQuotaForCustomerExceededFault',
      status: 400,
      errorClass: ServerlessCacheQuotaForCustomerExceededFault,
    });
    expect(e.message).toBe('The account has reached its quota of 6 serverless caches in us-east-1.');
    // A taken name or an unknown user group is reported before the quota.
    await expectFault(client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'six', Engine: 'valkey' })), { name: 'ServerlessCacheAlreadyExistsFault', status: 400 });
    await expectFault(client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'seven', Engine: 'valkey', UserGroupId: 'nobody' })), { name: 'UserGroupNotFoundFault', status: 404 });
  });

  it("allows 40 caches in all with AWS's default quota of 40", async () => {
    const defaults = await start({ serverlessCacheQuota: 40 });
    const c = sdkClient(defaults.url);
    try {
      for (let i = 0; i < 36; i++) await c.send(new CreateServerlessCacheCommand({ ServerlessCacheName: `cache-${i}`, Engine: 'redis' }));
      await expectFault(c.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'cache-41', Engine: 'redis' })), { name: 'ServerlessCacheQuotaForCustomerExceededFault', status: 400 });
    } finally {
      c.destroy();
      await defaults.close();
    }
  });
});
