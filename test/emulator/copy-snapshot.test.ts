/** CopyServerlessCacheSnapshot through the real SDK: success, stored state, every modeled fault, check order. */
import {
  CopyServerlessCacheSnapshotCommand,
  CreateServerlessCacheSnapshotCommand,
  DeleteServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  ExportServerlessCacheSnapshotCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  InvalidServerlessCacheSnapshotStateFault,
  ListTagsForResourceCommand,
  ServerlessCacheSnapshotAlreadyExistsFault,
  ServerlessCacheSnapshotNotFoundFault,
  ServerlessCacheSnapshotQuotaExceededFault,
  ServiceLinkedRoleNotFoundFault,
  TagQuotaPerResourceExceeded,
  type CopyServerlessCacheSnapshotCommandInput,
} from '@aws-sdk/client-elasticache';
import { adminCall, expectFault, injectFault, snapshotArnOf, useClockedEmulator } from './helpers';

const env = useClockedEmulator({ snapshotAvailableAfterMs: 1000, dailySnapshotQuotaPerCache: 3 });

const copy = (input: Partial<CopyServerlessCacheSnapshotCommandInput>) =>
  env.client.send(new CopyServerlessCacheSnapshotCommand(input as CopyServerlessCacheSnapshotCommandInput));

/** A snapshot of `cache`, made available by moving the clock. */
async function availableSnapshot(name: string, cache = 'demo-valkey', tags?: { Key: string; Value?: string }[]): Promise<void> {
  await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: cache, Tags: tags }));
  env.clock.advance(1000);
}

const ipv = { name: 'InvalidParameterValueException', status: 400, errorClass: InvalidParameterValueException };

describe('success', () => {
  it("answers the new snapshot, creating, with the source's configuration, size and key", async () => {
    await availableSnapshot('src', 'demo-valkey', [{ Key: 'from', Value: 'source' }]);
    const out = await copy({ SourceServerlessCacheSnapshotName: 'SRC', TargetServerlessCacheSnapshotName: 'My-Copy' });
    expect(out.ServerlessCacheSnapshot).toEqual({
      ServerlessCacheSnapshotName: 'my-copy',
      ARN: snapshotArnOf('my-copy'),
      KmsKeyId: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//),
      SnapshotType: 'manual',
      Status: 'creating',
      CreateTime: new Date(env.clock.now),
      BytesUsedForCache: '157286400',
      ServerlessCacheConfiguration: { ServerlessCacheName: 'demo-valkey', Engine: 'valkey', MajorEngineVersion: '8' },
    });
  });

  it('becomes available after snapshotAvailableAfterMs; the source stays available throughout', async () => {
    await availableSnapshot('src');
    await copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'dst' });
    const statuses = async () =>
      (await env.client.send(new DescribeServerlessCacheSnapshotsCommand({}))).ServerlessCacheSnapshots?.map((s) => [s.ServerlessCacheSnapshotName, s.Status]);
    expect(await statuses()).toEqual([['src', 'available'], ['dst', 'creating']]);
    env.clock.advance(999);
    expect(await statuses()).toEqual([['src', 'available'], ['dst', 'creating']]);
    env.clock.advance(1);
    expect(await statuses()).toEqual([['src', 'available'], ['dst', 'available']]);
  });

  it("stores only the request's tags (none when it has none), and the request's KmsKeyId", async () => {
    await availableSnapshot('src', 'demo-redis', [{ Key: 'from', Value: 'source' }]);
    await copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'untagged' });
    const tagged = await copy({
      SourceServerlessCacheSnapshotName: 'src',
      TargetServerlessCacheSnapshotName: 'tagged',
      KmsKeyId: 'alias/copy-key',
      Tags: [{ Key: 'team', Value: 'a & b' }, { Key: 'bare' }],
    });
    expect(tagged.ServerlessCacheSnapshot?.KmsKeyId).toBe('alias/copy-key');
    const tags = async (name: string) => (await env.client.send(new ListTagsForResourceCommand({ ResourceName: snapshotArnOf(name) }))).TagList;
    expect(await tags('untagged')).toEqual([]);
    expect(await tags('tagged')).toEqual([{ Key: 'team', Value: 'a & b' }, { Key: 'bare' }]);
    expect(await tags('src')).toEqual([{ Key: 'from', Value: 'source' }]);
  });

  it('keeps no key when neither the request nor the source has one', async () => {
    await availableSnapshot('src', 'demo-memcached');
    const out = await copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'dst' });
    expect(out.ServerlessCacheSnapshot?.KmsKeyId).toBeUndefined();
    expect(out.ServerlessCacheSnapshot?.ServerlessCacheConfiguration).toEqual({ ServerlessCacheName: 'demo-memcached', Engine: 'memcached', MajorEngineVersion: '1.6' });
  });

  it('copies a copy', async () => {
    await availableSnapshot('src');
    await copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'gen-1' });
    env.clock.advance(1000);
    const out = await copy({ SourceServerlessCacheSnapshotName: 'gen-1', TargetServerlessCacheSnapshotName: 'gen-2' });
    expect(out.ServerlessCacheSnapshot?.ServerlessCacheConfiguration?.ServerlessCacheName).toBe('demo-valkey');
  });
});

describe('input rules (the shared rules, as create)', () => {
  it.each([
    ['no source', { TargetServerlessCacheSnapshotName: 't' }, 'The parameter SourceServerlessCacheSnapshotName must be provided.'],
    ['no target', { SourceServerlessCacheSnapshotName: 's' }, 'The parameter TargetServerlessCacheSnapshotName must be provided.'],
    ['an empty target', { SourceServerlessCacheSnapshotName: 's', TargetServerlessCacheSnapshotName: '' }, 'The parameter TargetServerlessCacheSnapshotName must not be empty.'],
    [
      'a 256-character target',
      { SourceServerlessCacheSnapshotName: 's', TargetServerlessCacheSnapshotName: 'x'.repeat(256) },
      'The parameter TargetServerlessCacheSnapshotName must be between 1 and 255 characters long; it is 256.',
    ],
    [
      'a 2049-character KmsKeyId',
      { SourceServerlessCacheSnapshotName: 's', TargetServerlessCacheSnapshotName: 't', KmsKeyId: 'k'.repeat(2049) },
      'The parameter KmsKeyId must be at most 2048 characters long; it is 2049.',
    ],
    [
      'an aws: tag',
      { SourceServerlessCacheSnapshotName: 's', TargetServerlessCacheSnapshotName: 't', Tags: [{ Key: 'ok' }, { Key: 'Aws:x' }] },
      'Tags.Tag.2.Key: the aws: prefix is reserved for AWS use.',
    ],
    [
      'a duplicate tag key',
      { SourceServerlessCacheSnapshotName: 's', TargetServerlessCacheSnapshotName: 't', Tags: [{ Key: 'k' }, { Key: 'k' }] },
      'Tags.Tag.2.Key: the tag key "k" is given more than once; tag keys must be unique.',
    ],
  ])('refuses %s with InvalidParameterValue, before looking the source up', async (_label, input, message) => {
    const e = await expectFault(copy(input), ipv);
    expect(e.message).toBe(message);
  });

  it('refuses 51 tags with TagQuotaPerResourceExceeded, and allows 50', async () => {
    await availableSnapshot('src');
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}` }));
    await copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'fifty', Tags: tags(50) });
    await expectFault(copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'fifty-one', Tags: tags(51) }), {
      name: 'TagQuotaPerResourceExceeded',
      status: 400,
      errorClass: TagQuotaPerResourceExceeded,
    });
  });
});

describe('faults, in check order', () => {
  it('ServerlessCacheSnapshotNotFoundFault (404) for an unknown source, before a taken target', async () => {
    await availableSnapshot('taken');
    const e = await expectFault(copy({ SourceServerlessCacheSnapshotName: 'ghost', TargetServerlessCacheSnapshotName: 'taken' }), {
      name: 'ServerlessCacheSnapshotNotFoundFault',
      status: 404,
      errorClass: ServerlessCacheSnapshotNotFoundFault,
    });
    expect(e.message).toBe('Serverless cache snapshot ghost not found.');
  });

  it('ServerlessCacheSnapshotAlreadyExistsFault for a taken target (case-insensitive, the source itself included), before the source state', async () => {
    await availableSnapshot('src');
    await expectFault(copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'SRC' }), {
      name: 'ServerlessCacheSnapshotAlreadyExistsFault',
      status: 400,
      errorClass: ServerlessCacheSnapshotAlreadyExistsFault,
    });
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'young', ServerlessCacheName: 'demo-valkey' }));
    await expectFault(copy({ SourceServerlessCacheSnapshotName: 'young', TargetServerlessCacheSnapshotName: 'src' }), { name: 'ServerlessCacheSnapshotAlreadyExistsFault', status: 400 });
  });

  it('InvalidServerlessCacheSnapshotStateFault while the source is creating, deleting or exporting', async () => {
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'young', ServerlessCacheName: 'demo-valkey' }));
    const e = await expectFault(copy({ SourceServerlessCacheSnapshotName: 'young', TargetServerlessCacheSnapshotName: 't' }), {
      name: 'InvalidServerlessCacheSnapshotStateFault',
      status: 400,
      errorClass: InvalidServerlessCacheSnapshotStateFault,
    });
    expect(e.message).toBe('Serverless cache snapshot young is not in the available state (it is creating); only an available snapshot can be copied.');
    expect(await adminCall(env.emulator.url, 'GET', '/snapshots/t')).toMatchObject({ status: 404 });
    await availableSnapshot('leaving');
    await availableSnapshot('travelling');
    await env.client.send(new DeleteServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'leaving' }));
    await env.client.send(new ExportServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'travelling', S3BucketName: 'demo-exports' }));
    for (const [source, status] of [['leaving', 'deleting'], ['travelling', 'exporting']]) {
      const f = await expectFault(copy({ SourceServerlessCacheSnapshotName: source, TargetServerlessCacheSnapshotName: 't' }), { name: 'InvalidServerlessCacheSnapshotStateFault', status: 400 });
      expect(f.message).toContain(`(it is ${status})`);
    }
  });

  it("ServerlessCacheSnapshotQuotaExceededFault once the source cache's daily quota is used, copies counting like creates", async () => {
    await availableSnapshot('src');
    await copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'c1' });
    await copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'c2' });
    const e = await expectFault(copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'c3' }), {
      name: 'ServerlessCacheSnapshotQuotaExceededFault',
      status: 400,
      errorClass: ServerlessCacheSnapshotQuotaExceededFault,
    });
    expect(e.message).toMatch(/demo-valkey, the source snapshot's cache, has reached its quota of 3 snapshots per 24 hours/);
    // The copies used the cache's quota for creates too.
    await expectFault(env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'c3', ServerlessCacheName: 'demo-valkey' })), {
      name: 'ServerlessCacheSnapshotQuotaExceededFault',
      status: 400,
    });
    // A day later the window has moved on.
    env.clock.advance(24 * 60 * 60 * 1000);
    await copy({ SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'c3' });
  });

  it('ServiceLinkedRoleNotFoundFault and InvalidParameterCombination, reachable by injection', async () => {
    await availableSnapshot('src');
    await injectFault(env.emulator.url, { action: 'CopyServerlessCacheSnapshot', code: 'ServiceLinkedRoleNotFoundFault' });
    await injectFault(env.emulator.url, { action: 'CopyServerlessCacheSnapshot', code: 'InvalidParameterCombination' });
    const input = { SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 't' };
    await expectFault(copy(input), { name: 'ServiceLinkedRoleNotFoundFault', status: 400, errorClass: ServiceLinkedRoleNotFoundFault });
    await expectFault(copy(input), { name: 'InvalidParameterCombinationException', status: 400, errorClass: InvalidParameterCombinationException });
    await copy(input);
  });
});
