/** CreateServerlessCacheSnapshot through the real SDK: success shape, input rules, every modeled fault, check order. */
import {
  CreateServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  ElastiCacheClient,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  InvalidServerlessCacheStateFault,
  ServerlessCacheNotFoundFault,
  ServerlessCacheSnapshotAlreadyExistsFault,
  ServerlessCacheSnapshotQuotaExceededFault,
  ServiceLinkedRoleNotFoundFault,
  TagQuotaPerResourceExceeded,
  type CreateServerlessCacheSnapshotCommandInput,
} from '@aws-sdk/client-elasticache';
import type { RunningEmulator } from '../../src/emulator';
import { adminCall, expectFault, injectFault, sdkClient, start, useEmulator } from './helpers';

const env = useEmulator();

const create = (input: Partial<CreateServerlessCacheSnapshotCommandInput>) =>
  env.client.send(new CreateServerlessCacheSnapshotCommand(input as CreateServerlessCacheSnapshotCommandInput));

interface StoredSnapshot {
  name: string;
  tags: { key: string; value: string | null }[];
  kmsKeyId: string | null;
}
const stored = async (name: string) => (await adminCall<StoredSnapshot>(env.emulator.url, 'GET', `/snapshots/${encodeURIComponent(name)}`)).body;

describe('success', () => {
  it('returns the new snapshot, creating, with the cache configuration', async () => {
    const before = Date.now();
    const out = await create({ ServerlessCacheSnapshotName: 'snap-1', ServerlessCacheName: 'demo-redis' });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toBeDefined();
    const s = out.ServerlessCacheSnapshot;
    expect(s).toEqual({
      ServerlessCacheSnapshotName: 'snap-1',
      ARN: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:snap-1',
      SnapshotType: 'manual',
      Status: 'creating',
      CreateTime: expect.any(Date) as Date,
      BytesUsedForCache: '52428800',
      ServerlessCacheConfiguration: { ServerlessCacheName: 'demo-redis', Engine: 'redis', MajorEngineVersion: '7' },
    });
    expect(s?.CreateTime?.getTime()).toBeGreaterThanOrEqual(before);
    expect(s?.ExpiryTime).toBeUndefined();
  });

  it('stores names lower-case and finds the cache case-insensitively', async () => {
    const out = await create({ ServerlessCacheSnapshotName: 'My-SNAP', ServerlessCacheName: 'Demo-Valkey' });
    expect(out.ServerlessCacheSnapshot?.ServerlessCacheSnapshotName).toBe('my-snap');
    expect(out.ServerlessCacheSnapshot?.ARN).toMatch(/:serverlesscachesnapshot:my-snap$/);
    expect(out.ServerlessCacheSnapshot?.ServerlessCacheConfiguration?.ServerlessCacheName).toBe('demo-valkey');
    const listed = await env.client.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: 'MY-snap' }));
    expect(listed.ServerlessCacheSnapshots?.map((x) => x.ServerlessCacheSnapshotName)).toEqual(['my-snap']);
  });

  it('uses the request KmsKeyId, else the cache key, else none', async () => {
    const explicit = await create({ ServerlessCacheSnapshotName: 'k1', ServerlessCacheName: 'demo-redis', KmsKeyId: 'alias/mine' });
    expect(explicit.ServerlessCacheSnapshot?.KmsKeyId).toBe('alias/mine');
    const inherited = await create({ ServerlessCacheSnapshotName: 'k2', ServerlessCacheName: 'demo-valkey' });
    expect(inherited.ServerlessCacheSnapshot?.KmsKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    const none = await create({ ServerlessCacheSnapshotName: 'k3', ServerlessCacheName: 'demo-memcached' });
    expect(none.ServerlessCacheSnapshot?.KmsKeyId).toBeUndefined();
  });

  it('stores exactly the request tags, including values with special characters and null values', async () => {
    const tags = [
      { Key: 'env', Value: 'dev team' },
      { Key: 'owner', Value: `a&b=c/ü <x> "q" 'a' + 😀` },
      { Key: 'k:/=+-@._ ü', Value: '' },
      { Key: 'no-value' },
    ];
    await create({ ServerlessCacheSnapshotName: 'tagged', ServerlessCacheName: 'demo-valkey', Tags: tags });
    expect((await stored('tagged')).tags).toEqual(tags.map((t) => ({ key: t.Key, value: t.Value ?? null })));
  });

  it('accepts an empty tag list', async () => {
    await create({ ServerlessCacheSnapshotName: 'untagged', ServerlessCacheName: 'demo-valkey', Tags: [] });
    expect((await stored('untagged')).tags).toEqual([]);
  });

  it('round-trips names with XML special characters and non-ASCII', async () => {
    const name = `a&b<c>"d'e ü 😀`;
    const out = await create({ ServerlessCacheSnapshotName: name, ServerlessCacheName: 'demo-valkey' });
    expect(out.ServerlessCacheSnapshot?.ServerlessCacheSnapshotName).toBe(name);
    const listed = await env.client.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: name }));
    expect(listed.ServerlessCacheSnapshots?.[0]?.ServerlessCacheSnapshotName).toBe(name);
  });

  it('accepts names of 1 and 255 characters (code points)', async () => {
    await create({ ServerlessCacheSnapshotName: 'x', ServerlessCacheName: 'demo-valkey' });
    const long = 'é'.repeat(255);
    const out = await create({ ServerlessCacheSnapshotName: long, ServerlessCacheName: 'demo-valkey' });
    expect(out.ServerlessCacheSnapshot?.ServerlessCacheSnapshotName).toBe(long);
  });
});

describe('input rules (InvalidParameterValue unless stated)', () => {
  const ipv = { name: 'InvalidParameterValueException', status: 400, errorClass: InvalidParameterValueException };

  it('requires ServerlessCacheSnapshotName and ServerlessCacheName, naming the parameter', async () => {
    const a = await expectFault(create({ ServerlessCacheName: 'demo-valkey' }), ipv);
    expect(a.message).toBe('The parameter ServerlessCacheSnapshotName must be provided.');
    const b = await expectFault(create({ ServerlessCacheSnapshotName: 's' }), ipv);
    expect(b.message).toBe('The parameter ServerlessCacheName must be provided.');
    const c = await expectFault(create({ ServerlessCacheSnapshotName: '', ServerlessCacheName: 'demo-valkey' }), ipv);
    expect(c.message).toMatch(/ServerlessCacheSnapshotName must not be empty/);
  });

  it('limits snapshot names to 255 characters', async () => {
    const e = await expectFault(create({ ServerlessCacheSnapshotName: 'x'.repeat(256), ServerlessCacheName: 'demo-valkey' }), ipv);
    expect(e.message).toMatch(/ServerlessCacheSnapshotName must be between 1 and 255 characters long; it is 256/);
  });

  it('allows 50 tags and refuses 51 with TagQuotaPerResourceExceeded', async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    await create({ ServerlessCacheSnapshotName: 'fifty', ServerlessCacheName: 'demo-valkey', Tags: tags(50) });
    await expectFault(create({ ServerlessCacheSnapshotName: 'fifty-one', ServerlessCacheName: 'demo-valkey', Tags: tags(51) }), {
      name: 'TagQuotaPerResourceExceeded',
      status: 400,
      errorClass: TagQuotaPerResourceExceeded,
    });
  });

  it.each([
    ['an empty key', [{ Key: '', Value: 'v' }], /between 1 and 128/],
    ['a 129-character key', [{ Key: 'k'.repeat(129) }], /1 and 128 characters long; it is 129/],
    ['a 257-character value', [{ Key: 'k', Value: '😀'.repeat(257) }], /at most 256 characters long; it is 257/],
    ['a duplicate key', [{ Key: 'a' }, { Key: 'a', Value: 'x' }], /given more than once/],
    ['an aws: key', [{ Key: 'aws:cloudformation:stack-name', Value: 'x' }], /aws: prefix is reserved/],
  ])('rejects %s', async (_label, Tags, message) => {
    const e = await expectFault(create({ ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'demo-valkey', Tags }), ipv);
    expect(e.message).toMatch(message);
  });

  it('counts tag lengths in code points, so 128 emoji is a valid key', async () => {
    await create({ ServerlessCacheSnapshotName: 'emoji', ServerlessCacheName: 'demo-valkey', Tags: [{ Key: '😀'.repeat(128), Value: '😀'.repeat(256) }] });
    expect((await stored('emoji')).tags[0]?.key).toBe('😀'.repeat(128));
  });
});

describe('faults', () => {
  it('ServerlessCacheNotFoundFault (404) for an unknown cache', async () => {
    const e = await expectFault(create({ ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'no-such-cache' }), {
      name: 'ServerlessCacheNotFoundFault',
      status: 404,
      errorClass: ServerlessCacheNotFoundFault,
    });
    expect(e.message).toBe('Serverless cache no-such-cache not found.');
    expect(e.$fault).toBe('client');
  });

  it('ServerlessCacheSnapshotAlreadyExistsFault for a name taken account-wide, compared lower-cased', async () => {
    await create({ ServerlessCacheSnapshotName: 'taken', ServerlessCacheName: 'demo-valkey' });
    const e = await expectFault(create({ ServerlessCacheSnapshotName: 'TAKEN', ServerlessCacheName: 'demo-redis' }), {
      name: 'ServerlessCacheSnapshotAlreadyExistsFault',
      status: 400,
      errorClass: ServerlessCacheSnapshotAlreadyExistsFault,
    });
    expect(e.message).toBe('Serverless cache snapshot taken already exists.');
  });

  it('InvalidServerlessCacheStateFault when the cache is not available', async () => {
    const e = await expectFault(create({ ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'demo-modifying' }), {
      name: 'InvalidServerlessCacheStateFault',
      status: 400,
      errorClass: InvalidServerlessCacheStateFault,
    });
    expect(e.message).toMatch(/demo-modifying is not in the available state \(it is modifying\)/);
    for (const status of ['creating', 'deleting', 'create-failed']) {
      await adminCall(env.emulator.url, 'PUT', '/caches/demo-redis/status', { status });
      await expectFault(create({ ServerlessCacheSnapshotName: `s-${status}`, ServerlessCacheName: 'demo-redis' }), {
        name: 'InvalidServerlessCacheStateFault',
        status: 400,
      });
    }
  });

  it('ServiceLinkedRoleNotFoundFault and InvalidParameterCombination, reachable by injection', async () => {
    await injectFault(env.emulator.url, { action: 'CreateServerlessCacheSnapshot', code: 'ServiceLinkedRoleNotFoundFault' });
    await injectFault(env.emulator.url, { action: 'CreateServerlessCacheSnapshot', code: 'InvalidParameterCombination', message: 'Nope.' });
    const input = { ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'demo-valkey' };
    await expectFault(create(input), { name: 'ServiceLinkedRoleNotFoundFault', status: 400, errorClass: ServiceLinkedRoleNotFoundFault });
    const e = await expectFault(create(input), { name: 'InvalidParameterCombinationException', status: 400, errorClass: InvalidParameterCombinationException });
    expect(e.message).toBe('Nope.');
    await create(input);
  });
});

describe('check order: parameters, then existence, then state, then quota', () => {
  it('a bad parameter wins over an unknown cache', async () => {
    await expectFault(create({ ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'no-such-cache', Tags: [{ Key: 'aws:x' }] }), {
      name: 'InvalidParameterValueException',
      status: 400,
    });
  });

  it('an unknown cache wins over a taken name', async () => {
    await create({ ServerlessCacheSnapshotName: 'taken', ServerlessCacheName: 'demo-valkey' });
    await expectFault(create({ ServerlessCacheSnapshotName: 'taken', ServerlessCacheName: 'no-such-cache' }), {
      name: 'ServerlessCacheNotFoundFault',
      status: 404,
    });
  });

  it('a taken name wins over the cache state', async () => {
    await create({ ServerlessCacheSnapshotName: 'taken', ServerlessCacheName: 'demo-valkey' });
    await expectFault(create({ ServerlessCacheSnapshotName: 'taken', ServerlessCacheName: 'demo-modifying' }), {
      name: 'ServerlessCacheSnapshotAlreadyExistsFault',
      status: 400,
    });
  });
});

describe('daily quota and status', () => {
  let small: RunningEmulator;
  let smallClient: ElastiCacheClient;
  beforeAll(async () => {
    small = await start({ dailySnapshotQuotaPerCache: 2, snapshotAvailableAfterMs: 300 });
    smallClient = sdkClient(small.url);
  });
  afterAll(async () => {
    smallClient.destroy();
    await small.close();
  });

  const createOn = (name: string, cache: string) =>
    smallClient.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: cache }));

  it('allows dailySnapshotQuotaPerCache snapshots per cache, then ServerlessCacheSnapshotQuotaExceededFault; the state check comes first', async () => {
    await createOn('q1', 'demo-valkey');
    await createOn('q2', 'DEMO-VALKEY');
    const e = await expectFault(createOn('q3', 'demo-valkey'), {
      name: 'ServerlessCacheSnapshotQuotaExceededFault',
      status: 400,
      errorClass: ServerlessCacheSnapshotQuotaExceededFault,
    });
    expect(e.message).toMatch(/quota of 2 snapshots per 24 hours/);
    // The quota is per cache.
    await createOn('q3', 'demo-redis');
    // State before quota: with the cache unavailable the client is told about the state.
    await adminCall(small.url, 'PUT', '/caches/demo-valkey/status', { status: 'modifying' });
    await expectFault(createOn('q4', 'demo-valkey'), { name: 'InvalidServerlessCacheStateFault', status: 400 });
  });

  it('turns a snapshot from creating to available after snapshotAvailableAfterMs', async () => {
    const out = await createOn('becomes-available', 'demo-memcached');
    expect(out.ServerlessCacheSnapshot?.Status).toBe('creating');
    await new Promise((r) => setTimeout(r, 350));
    const listed = await smallClient.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: 'becomes-available' }));
    expect(listed.ServerlessCacheSnapshots?.[0]?.Status).toBe('available');
  });
});
