/**
 * createServerlessCacheSnapshot, end to end: HTTP to the gateway, the real SDK to the embedded
 * emulator. Every member of the result union is reached here by the request a user would make.
 */
import { startTestGateway, type TestGateway } from '../support/gateway';

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateServerlessCacheSnapshotInput!) {
    createServerlessCacheSnapshot(input: $input) {
      __typename
      ... on CreateServerlessCacheSnapshotSuccess {
        serverlessCacheSnapshot {
          serverlessCacheSnapshotName arn kmsKeyId snapshotType status createTime expiryTime bytesUsedForCache
          serverlessCacheConfiguration { serverlessCacheName engine majorEngineVersion }
        }
        tags { key value }
      }
      ... on Fault { code message awsRequestId }
      ... on ServerlessCacheSnapshotAlreadyExistsFault { serverlessCacheSnapshotName }
      ... on ServerlessCacheNotFoundFault { serverlessCacheName }
      ... on InvalidServerlessCacheStateFault { serverlessCacheName }
      ... on ServerlessCacheSnapshotQuotaExceededFault { serverlessCacheName }
      ... on TagQuotaPerResourceExceeded { maxTagsPerResource requestedTagCount }
      ... on InvalidParameterValueException { field }
    }
  }
`;

type Result = Record<string, unknown> & { __typename: string };

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({ env: { EMULATOR_DAILY_SNAPSHOT_QUOTA: '100', EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '300' } });
});
afterAll(async () => gateway.close());

let counter = 0;
const uniqueName = (prefix = 'snap') => `${prefix}-${process.pid}-${++counter}`;

async function create(input: Record<string, unknown>): Promise<Result> {
  const { status, body } = await gateway.graphql<{ createServerlessCacheSnapshot: Result }>(CREATE, { input });
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data!.createServerlessCacheSnapshot;
}

describe('a snapshot of an available cache', () => {
  it('is accepted and reported as creating, with every field AWS returns', async () => {
    const before = Date.now();
    const result = await create({
      serverlessCacheSnapshotName: 'Nightly-Valkey-' + process.pid,
      serverlessCacheName: 'demo-valkey',
      tags: [
        { key: 'team', value: 'platform & ops <core>' },
        { key: 'empty' },
      ],
    });
    expect(result.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    const snapshot = result.serverlessCacheSnapshot as Record<string, unknown>;
    // AWS stores the name in lower case, and the ARN embeds it.
    const name = `nightly-valkey-${process.pid}`;
    expect(snapshot).toMatchObject({
      serverlessCacheSnapshotName: name,
      arn: `arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:${name}`,
      snapshotType: 'manual',
      status: 'creating',
      expiryTime: null,
      serverlessCacheConfiguration: { serverlessCacheName: 'demo-valkey', engine: 'valkey', majorEngineVersion: '8' },
    });
    expect(snapshot.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(snapshot.createTime as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(snapshot.bytesUsedForCache).toMatch(/^\d+$/);
    expect(result.tags).toEqual([
      { key: 'team', value: 'platform & ops <core>' },
      { key: 'empty', value: null },
    ]);
  });

  it('can be followed from creating to available with the serverlessCacheSnapshot query', async () => {
    const name = uniqueName();
    await create({ serverlessCacheSnapshotName: name, serverlessCacheName: 'demo-redis' });
    const status = async () =>
      (await gateway.graphql<{ serverlessCacheSnapshot: { status: string } | null }>(
        'query($n: String!) { serverlessCacheSnapshot(name: $n) { status } }',
        { n: name.toUpperCase() },
      )).body.data?.serverlessCacheSnapshot?.status;
    expect(await status()).toBe('creating');
    await new Promise((r) => setTimeout(r, 400));
    expect(await status()).toBe('available');
  });

  it('is null from the serverlessCacheSnapshot query when no snapshot has the name', async () => {
    const { body } = await gateway.graphql('{ serverlessCacheSnapshot(name: "no-such-snapshot") { arn } }');
    expect(body).toEqual({ data: { serverlessCacheSnapshot: null } });
  });

  it('keeps a KMS key given in the request', async () => {
    const kmsKeyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'demo-memcached', kmsKeyId });
    expect(result).toMatchObject({
      __typename: 'CreateServerlessCacheSnapshotSuccess',
      serverlessCacheSnapshot: { kmsKeyId, serverlessCacheConfiguration: { engine: 'memcached', majorEngineVersion: '1.6' } },
    });
  });
});

describe('faults AWS answers, as union members', () => {
  it('ServerlessCacheSnapshotAlreadyExistsFault when the name is taken, whatever its case', async () => {
    const name = uniqueName('dup');
    await create({ serverlessCacheSnapshotName: name, serverlessCacheName: 'demo-redis' });
    const result = await create({ serverlessCacheSnapshotName: name.toUpperCase(), serverlessCacheName: 'demo-redis' });
    expect(result).toMatchObject({
      __typename: 'ServerlessCacheSnapshotAlreadyExistsFault',
      code: 'ServerlessCacheSnapshotAlreadyExistsFault',
      serverlessCacheSnapshotName: name.toUpperCase(),
      message: expect.stringContaining(name.toUpperCase()),
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('ServerlessCacheNotFoundFault for an unknown cache', async () => {
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'no-such-cache' });
    expect(result).toMatchObject({
      __typename: 'ServerlessCacheNotFoundFault',
      code: 'ServerlessCacheNotFoundFault',
      serverlessCacheName: 'no-such-cache',
      message: 'There is no serverless cache named "no-such-cache".',
      awsRequestId: expect.any(String),
    });
  });

  it('InvalidServerlessCacheStateFault for a cache that is not available', async () => {
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'demo-modifying' });
    expect(result).toMatchObject({
      __typename: 'InvalidServerlessCacheStateFault',
      code: 'InvalidServerlessCacheStateFault',
      serverlessCacheName: 'demo-modifying',
      awsRequestId: expect.any(String),
    });
  });

  it('ServiceLinkedRoleNotFoundFault when AWS reports the role missing (emulator control)', async () => {
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', code: 'ServiceLinkedRoleNotFoundFault' });
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'demo-valkey' });
    expect(result).toMatchObject({
      __typename: 'ServiceLinkedRoleNotFoundFault',
      code: 'ServiceLinkedRoleNotFoundFault',
      message: expect.stringContaining('service-linked role'),
      awsRequestId: expect.any(String),
    });
  });

  it('InvalidParameterCombinationException, with the AWS wire code, when AWS rejects a combination (emulator control)', async () => {
    await gateway.emulator.inject({
      action: 'CreateServerlessCacheSnapshot',
      code: 'InvalidParameterCombination',
      message: 'KmsKeyId cannot be used with this cache.',
    });
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'demo-valkey' });
    expect(result).toMatchObject({
      __typename: 'InvalidParameterCombinationException',
      code: 'InvalidParameterCombination',
      message: 'AWS rejected a combination of values in the request: KmsKeyId cannot be used with this cache.',
      awsRequestId: expect.any(String),
    });
  });

  it('InvalidParameterValueException, with the AWS wire code and no field, when AWS rejects a value', async () => {
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', code: 'InvalidParameterValue', message: 'Invalid KMS key.' });
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'demo-valkey', kmsKeyId: 'bad' });
    expect(result).toMatchObject({
      __typename: 'InvalidParameterValueException',
      code: 'InvalidParameterValue',
      field: null,
      message: 'AWS rejected a value in the request: Invalid KMS key.',
      awsRequestId: expect.any(String),
    });
  });

  it('TagQuotaPerResourceExceeded when AWS counts too many tags (emulator control)', async () => {
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', code: 'TagQuotaPerResourceExceeded' });
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'demo-valkey' });
    expect(result).toMatchObject({
      __typename: 'TagQuotaPerResourceExceeded',
      code: 'TagQuotaPerResourceExceeded',
      maxTagsPerResource: 50,
      requestedTagCount: null,
      awsRequestId: expect.any(String),
    });
  });
});

describe('the daily snapshot quota of a cache', () => {
  let quotaGateway: TestGateway;
  beforeAll(async () => {
    quotaGateway = await startTestGateway({ env: { EMULATOR_DAILY_SNAPSHOT_QUOTA: '2' } });
  });
  afterAll(async () => quotaGateway.close());

  it('answers ServerlessCacheSnapshotQuotaExceededFault once it is used up, for that cache only', async () => {
    const outcome = async (cache: string) =>
      (
        await quotaGateway.graphql<{ createServerlessCacheSnapshot: Result }>(CREATE, {
          input: { serverlessCacheSnapshotName: uniqueName('quota'), serverlessCacheName: cache },
        })
      ).body.data!.createServerlessCacheSnapshot;
    expect((await outcome('demo-valkey')).__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    expect((await outcome('demo-valkey')).__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    expect(await outcome('demo-valkey')).toMatchObject({
      __typename: 'ServerlessCacheSnapshotQuotaExceededFault',
      code: 'ServerlessCacheSnapshotQuotaExceededFault',
      serverlessCacheName: 'demo-valkey',
      awsRequestId: expect.any(String),
    });
    expect((await outcome('demo-redis')).__typename).toBe('CreateServerlessCacheSnapshotSuccess');
  });
});

describe('input that breaks a rule AWS documents', () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));

  it.each([
    ['an empty snapshot name', { serverlessCacheSnapshotName: '' }, ['serverlessCacheSnapshotName']],
    ['a snapshot name over 255 characters', { serverlessCacheSnapshotName: 'a'.repeat(256) }, ['serverlessCacheSnapshotName']],
    ['an empty cache name', { serverlessCacheName: '' }, ['serverlessCacheName']],
    ['an empty tag key', { tags: [...tags(3), { key: '', value: 'x' }] }, ['tags', '3', 'key']],
    ['a tag key over 128 characters', { tags: [{ key: 'k'.repeat(129) }] }, ['tags', '0', 'key']],
    ['a tag value over 256 characters', { tags: [{ key: 'k', value: 'v'.repeat(257) }] }, ['tags', '0', 'value']],
    ['a repeated tag key', { tags: [{ key: 'env' }, { key: 'team' }, { key: 'env' }] }, ['tags', '2', 'key']],
    ['a tag key starting with aws:', { tags: [{ key: 'aws:owner', value: 'me' }] }, ['tags', '0', 'key']],
  ])('%s is an InvalidParameterValueException naming the field, and nothing is sent to AWS', async (_, override, field) => {
    const before = await gateway.emulator.calls();
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'demo-valkey', ...override });
    expect(result).toMatchObject({ __typename: 'InvalidParameterValueException', code: 'InvalidParameterValue', field, awsRequestId: null });
    expect(result.message).toEqual(expect.any(String));
    expect(await gateway.emulator.calls()).toEqual(before);
  });

  it('more than 50 tags is TagQuotaPerResourceExceeded, and nothing is sent to AWS', async () => {
    const before = await gateway.emulator.calls();
    const result = await create({ serverlessCacheSnapshotName: uniqueName(), serverlessCacheName: 'demo-valkey', tags: tags(51) });
    expect(result).toMatchObject({
      __typename: 'TagQuotaPerResourceExceeded',
      code: 'TagQuotaPerResourceExceeded',
      maxTagsPerResource: 50,
      requestedTagCount: 51,
      awsRequestId: null,
      message: 'A snapshot can have at most 50 tags; this request has 51.',
    });
    expect(await gateway.emulator.calls()).toEqual(before);
  });

  it('accepts the limits themselves: a 255-character name, 50 tags, 128-character keys, 256-character values, emoji counted as one', async () => {
    const result = await create({
      serverlessCacheSnapshotName: `${uniqueName()}-`.padEnd(254, 'x') + '🙂',
      serverlessCacheName: 'demo-redis',
      tags: [...tags(48), { key: 'k'.repeat(127) + '🙂', value: 'v'.repeat(256) }, { key: 'AWS-like:not-reserved' }],
    });
    expect(result.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
  });
});
