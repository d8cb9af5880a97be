/**
 * Copy, delete, export, tag and untag, end to end: HTTP to the gateway, the real SDK to the
 * emulator. Each mutation's success, every member of its result union (AWS's side reached through
 * the emulator's fault injection), the checks the gateway answers without calling AWS, who may do
 * what, and lost answers settled as for create.
 */
import { writeApiKeys } from '../support/auth';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway';
import { connect, subscribe } from '../support/subscriptions';
import { COPY_SERVERLESS_CACHE_SNAPSHOT_FAULTS } from '../../src/operations/copy-serverless-cache-snapshot';
import { DELETE_SERVERLESS_CACHE_SNAPSHOT_FAULTS } from '../../src/operations/delete-serverless-cache-snapshot';
import { EXPORT_SERVERLESS_CACHE_SNAPSHOT_FAULTS } from '../../src/operations/export-serverless-cache-snapshot';
import { ADD_TAGS_TO_RESOURCE_FAULTS, REMOVE_TAGS_FROM_RESOURCE_FAULTS } from '../../src/operations/tagging';
import { CREATE_SERVERLESS_CACHE_FAULTS } from '../../src/operations/create-serverless-cache';

const SNAPSHOT = 'serverlessCacheSnapshot { serverlessCacheSnapshotName status serverlessCacheConfiguration { serverlessCacheName } }';
const FAULT = '... on Fault { code message awsRequestId } ... on InvalidParameterValueException { field }';
const TAGS = 'tags { key value }';

const MUTATIONS = {
  copy: `mutation ($input: CopyServerlessCacheSnapshotInput!) { result: copyServerlessCacheSnapshot(input: $input) { __typename ... on CopyServerlessCacheSnapshotSuccess { ${SNAPSHOT} ${TAGS} } ${FAULT} } }`,
  delete: `mutation ($input: DeleteServerlessCacheSnapshotInput!) { result: deleteServerlessCacheSnapshot(input: $input) { __typename ... on DeleteServerlessCacheSnapshotSuccess { ${SNAPSHOT} } ${FAULT} } }`,
  export: `mutation ($input: ExportServerlessCacheSnapshotInput!) { result: exportServerlessCacheSnapshot(input: $input) { __typename ... on ExportServerlessCacheSnapshotSuccess { ${SNAPSHOT} } ${FAULT} } }`,
  tag: `mutation ($input: TagServerlessCacheSnapshotInput!) { result: tagServerlessCacheSnapshot(input: $input) { __typename ... on TagServerlessCacheSnapshotSuccess { ${SNAPSHOT} ${TAGS} } ${FAULT} } }`,
  untag: `mutation ($input: UntagServerlessCacheSnapshotInput!) { result: untagServerlessCacheSnapshot(input: $input) { __typename ... on UntagServerlessCacheSnapshotSuccess { ${SNAPSHOT} ${TAGS} } ${FAULT} } }`,
  restore: `mutation ($input: RestoreServerlessCacheFromSnapshotInput!) { result: restoreServerlessCacheFromSnapshot(input: $input) { __typename ... on RestoreServerlessCacheFromSnapshotSuccess { serverlessCache { serverlessCacheName status engine majorEngineVersion } } ${FAULT} } }`,
};
const CREATE = `mutation ($input: CreateServerlessCacheSnapshotInput!) { createServerlessCacheSnapshot(input: $input) { __typename } }`;
const READ = `query ($name: String!) { serverlessCacheSnapshot(name: $name) { status ${TAGS} } }`;

type Result = { __typename: string; code?: string; awsRequestId?: string | null; field?: string[] | null; serverlessCache?: { serverlessCacheName: string; status: string; engine: string }; tags?: { key: string; value: string | null }[]; serverlessCacheSnapshot?: { serverlessCacheSnapshotName: string; status: string } };

let gateway: TestGateway;
let counter = 0;
const nextName = (prefix = 'life') => `${prefix}-${++counter}`;

beforeAll(async () => {
  gateway = await startTestGateway({
    env: { EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '100', EMULATOR_SNAPSHOT_DELETE_AFTER_MS: '300', EMULATOR_SNAPSHOT_EXPORT_AFTER_MS: '300', EMULATOR_DAILY_SNAPSHOT_QUOTA: '1000', EMULATOR_CACHE_AVAILABLE_AFTER_MS: '200', SUBSCRIPTION_POLL_INTERVAL_MS: '50' },
  });
});
afterAll(async () => gateway.close());
afterEach(async () => gateway.emulator.clearInjections());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(kind: keyof typeof MUTATIONS, input: Record<string, unknown>, as: TestGateway = gateway, headers: Record<string, string> = {}): Promise<GraphQLResponse<{ result: Result | null }>> {
  return as.graphql<{ result: Result | null }>(MUTATIONS[kind], { input }, headers);
}

/** A new snapshot of demo-valkey, `available`, with these tags. */
async function availableSnapshot(tags: { key: string; value: string }[] = []): Promise<string> {
  const name = nextName();
  const created = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(CREATE, {
    input: { serverlessCacheSnapshotName: name, serverlessCacheName: 'demo-valkey', tags },
  });
  expect(created.body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
  await waitForStatus(name, 'available');
  return name;
}

async function status(name: string): Promise<string | null> {
  const { body } = await gateway.graphql<{ serverlessCacheSnapshot: { status: string } | null }>(READ, { name });
  return body.data?.serverlessCacheSnapshot?.status ?? null;
}

async function waitForStatus(name: string, wanted: string | null): Promise<void> {
  for (let i = 0; i < 100 && (await status(name)) !== wanted; i++) await sleep(20);
  expect(await status(name)).toBe(wanted);
}

async function cacheStatus(name: string): Promise<string | null> {
  const { body } = await gateway.graphql<{ serverlessCache: { status: string } | null }>('query ($name: String!) { serverlessCache(name: $name) { status } }', { name });
  return body.data?.serverlessCache?.status ?? null;
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await condition()); i++) await sleep(20);
  expect(await condition()).toBe(true);
}

async function awsCalls(action: string): Promise<number> {
  return (await gateway.emulator.calls())[action] ?? 0;
}

describe('success', () => {
  it('copy: a new snapshot of the source cache, creating, with only the request\'s tags', async () => {
    const source = await availableSnapshot([{ key: 'team', value: 'web' }]);
    const target = nextName('copy');
    const { body } = await run('copy', { sourceServerlessCacheSnapshotName: source, targetServerlessCacheSnapshotName: target, tags: [{ key: 'copy', value: 'yes' }] });
    expect(body.data?.result).toMatchObject({
      __typename: 'CopyServerlessCacheSnapshotSuccess',
      serverlessCacheSnapshot: { serverlessCacheSnapshotName: target, serverlessCacheConfiguration: { serverlessCacheName: 'demo-valkey' } },
      tags: [{ key: 'copy', value: 'yes' }],
    });
    await waitForStatus(target, 'available');
    expect((await gateway.graphql<{ serverlessCacheSnapshot: { tags: unknown[] } }>(READ, { name: target })).body.data?.serverlessCacheSnapshot.tags).toEqual([{ key: 'copy', value: 'yes' }]);
  });

  it('delete: the snapshot, deleting, then gone', async () => {
    const name = await availableSnapshot();
    const { body } = await run('delete', { serverlessCacheSnapshotName: name });
    expect(body.data?.result).toMatchObject({ __typename: 'DeleteServerlessCacheSnapshotSuccess', serverlessCacheSnapshot: { serverlessCacheSnapshotName: name, status: 'deleting' } });
    await waitForStatus(name, null);
  });

  it('export: to the allowed bucket, exporting, then available again', async () => {
    const name = await availableSnapshot();
    const { body } = await run('export', { serverlessCacheSnapshotName: name, s3BucketName: 'demo-exports' });
    expect(body.data?.result).toMatchObject({ __typename: 'ExportServerlessCacheSnapshotSuccess', serverlessCacheSnapshot: { status: 'exporting' } });
    await waitForStatus(name, 'available');
  });

  it('tag and untag: every tag after the change, and the tags field agrees', async () => {
    const name = await availableSnapshot([{ key: 'team', value: 'web' }]);
    const tagged = await run('tag', { serverlessCacheSnapshotName: name, tags: [{ key: 'team', value: 'api' }, { key: 'env', value: 'prod' }] });
    expect(tagged.body.data?.result?.__typename).toBe('TagServerlessCacheSnapshotSuccess');
    expect(tagged.body.data?.result?.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'api' }, { key: 'env', value: 'prod' }]));
    expect(tagged.body.data?.result?.tags).toHaveLength(2);
    const untagged = await run('untag', { serverlessCacheSnapshotName: name, tagKeys: ['team'] });
    expect(untagged.body.data?.result).toMatchObject({ __typename: 'UntagServerlessCacheSnapshotSuccess', tags: [{ key: 'env', value: 'prod' }] });
    expect((await gateway.graphql<{ serverlessCacheSnapshot: { tags: unknown[] } }>(READ, { name })).body.data?.serverlessCacheSnapshot.tags).toEqual([{ key: 'env', value: 'prod' }]);
  });

  it('restore: a new cache from the snapshot, creating with the snapshot\'s engine, then available', async () => {
    const name = await availableSnapshot();
    const cache = nextName('restored');
    const { body } = await run('restore', { serverlessCacheName: cache, snapshotNames: [name] });
    expect(body.data?.result).toMatchObject({
      __typename: 'RestoreServerlessCacheFromSnapshotSuccess',
      serverlessCache: { serverlessCacheName: cache, status: 'creating', engine: 'valkey' },
    });
    await waitFor(async () => (await cacheStatus(cache)) === 'available');
  });

  it('reads tags only when the document selects them', async () => {
    const name = await availableSnapshot([{ key: 'team', value: 'web' }]);
    const before = await awsCalls('ListTagsForResource');
    await gateway.graphql(`query ($name: String!) { serverlessCacheSnapshot(name: $name) { status } }`, { name });
    expect(await awsCalls('ListTagsForResource')).toBe(before);
    await gateway.graphql(READ, { name });
    expect(await awsCalls('ListTagsForResource')).toBe(before + 1);
  });
});

describe('every fault AWS documents is its own union member', () => {
  const cases: [keyof typeof MUTATIONS, string, readonly string[], (name: string) => Record<string, unknown>][] = [
    ['copy', 'CopyServerlessCacheSnapshot', COPY_SERVERLESS_CACHE_SNAPSHOT_FAULTS, (name) => ({ sourceServerlessCacheSnapshotName: name, targetServerlessCacheSnapshotName: nextName('copy') })],
    ['delete', 'DeleteServerlessCacheSnapshot', DELETE_SERVERLESS_CACHE_SNAPSHOT_FAULTS, (name) => ({ serverlessCacheSnapshotName: name })],
    ['export', 'ExportServerlessCacheSnapshot', EXPORT_SERVERLESS_CACHE_SNAPSHOT_FAULTS, (name) => ({ serverlessCacheSnapshotName: name, s3BucketName: 'demo-exports' })],
    ['tag', 'AddTagsToResource', ADD_TAGS_TO_RESOURCE_FAULTS, (name) => ({ serverlessCacheSnapshotName: name, tags: [{ key: 'k', value: 'v' }] })],
    ['untag', 'RemoveTagsFromResource', REMOVE_TAGS_FROM_RESOURCE_FAULTS, (name) => ({ serverlessCacheSnapshotName: name, tagKeys: ['k'] })],
    ['restore', 'CreateServerlessCache', CREATE_SERVERLESS_CACHE_FAULTS, (name) => ({ serverlessCacheName: nextName('restored'), snapshotNames: [name] })],
  ];
  let name: string;
  beforeAll(async () => {
    name = await availableSnapshot();
  });

  it.each(cases)('%s (%s)', async (kind, action, faults, input) => {
    for (const fault of faults) {
      await gateway.emulator.inject({ action, code: fault });
      const { body } = await run(kind, input(name));
      expect({ fault, result: body.data?.result?.__typename, errors: body.errors }).toEqual({ fault, result: fault, errors: undefined });
      expect(body.data?.result?.awsRequestId).toEqual(expect.any(String));
    }
  });
});

describe('answered by the gateway, without calling AWS', () => {
  it('a snapshot that does not exist: ServerlessCacheSnapshotNotFoundFault, and no mutation call', async () => {
    const before = await awsCalls('DeleteServerlessCacheSnapshot');
    const { body } = await run('delete', { serverlessCacheSnapshotName: 'no-such-snapshot' });
    expect(body.data?.result).toMatchObject({ __typename: 'ServerlessCacheSnapshotNotFoundFault', awsRequestId: null });
    expect(await awsCalls('DeleteServerlessCacheSnapshot')).toBe(before);
  });

  it('tags that break a documented rule, on copy and tag', async () => {
    const name = await availableSnapshot();
    const [copies, adds] = [await awsCalls('CopyServerlessCacheSnapshot'), await awsCalls('AddTagsToResource')];
    const copy = await run('copy', { sourceServerlessCacheSnapshotName: name, targetServerlessCacheSnapshotName: nextName('copy'), tags: [{ key: 'aws:x', value: '1' }] });
    expect(copy.body.data?.result?.__typename).toBe('InvalidParameterValueException');
    const tag = await run('tag', { serverlessCacheSnapshotName: name, tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) });
    expect(tag.body.data?.result?.__typename).toBe('TagQuotaPerResourceExceeded');
    expect([await awsCalls('CopyServerlessCacheSnapshot'), await awsCalls('AddTagsToResource')]).toEqual([copies, adds]);
  });

  it('a restore from a snapshot that does not exist: InvalidParameterValueException naming it, as AWS would answer', async () => {
    const before = await awsCalls('CreateServerlessCache');
    const name = await availableSnapshot();
    const { body } = await run('restore', { serverlessCacheName: nextName('restored'), snapshotNames: [name, 'no-such-snapshot'] });
    expect(body.data?.result).toMatchObject({ __typename: 'InvalidParameterValueException', field: ['snapshotNames', '1'], awsRequestId: null });
    const long = await run('restore', { serverlessCacheName: nextName('restored'), snapshotNames: [name], description: 'x'.repeat(256) });
    expect(long.body.data?.result).toMatchObject({ __typename: 'InvalidParameterValueException', field: ['description'] });
    expect(await awsCalls('CreateServerlessCache')).toBe(before);
  });

  it('untag keys the rules refuse: none, or one of AWS\'s own', async () => {
    const name = await availableSnapshot();
    const before = await awsCalls('RemoveTagsFromResource');
    for (const tagKeys of [[], ['aws:cloudformation:stack-name']]) {
      const { body } = await run('untag', { serverlessCacheSnapshotName: name, tagKeys });
      expect(body.data?.result).toMatchObject({ __typename: 'InvalidParameterValueException', awsRequestId: null, field: expect.arrayContaining(['tagKeys']) });
    }
    expect(await awsCalls('RemoveTagsFromResource')).toBe(before);
  });

  it('an export to a bucket the operator did not allow: FORBIDDEN', async () => {
    const name = await availableSnapshot();
    const before = await awsCalls('ExportServerlessCacheSnapshot');
    const { body } = await run('export', { serverlessCacheSnapshotName: name, s3BucketName: 'someone-elses-bucket' });
    expect(body.data?.result).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await awsCalls('ExportServerlessCacheSnapshot')).toBe(before);
  });
});

describe('lost answers', () => {
  it('export: a retry that finds the snapshot busy with the first attempt\'s export is a success', async () => {
    const name = await availableSnapshot();
    await gateway.emulator.inject({ action: 'ExportServerlessCacheSnapshot', afterOperation: true, dropConnection: true });
    const { body } = await run('export', { serverlessCacheSnapshotName: name, s3BucketName: 'demo-exports' });
    expect(body.data?.result).toMatchObject({ __typename: 'ExportServerlessCacheSnapshotSuccess', serverlessCacheSnapshot: { status: 'exporting' } });
  });

  it('untag: a retry told the tag is not there, because the first attempt removed it, is a success', async () => {
    const name = await availableSnapshot([{ key: 'team', value: 'web' }]);
    await gateway.emulator.inject({ action: 'RemoveTagsFromResource', afterOperation: true, dropConnection: true });
    const { body } = await run('untag', { serverlessCacheSnapshotName: name, tagKeys: ['team'] });
    expect(body.data?.result).toMatchObject({ __typename: 'UntagServerlessCacheSnapshotSuccess', tags: [] });
  });

  it('tag: every attempt lost after AWS tagged it is a success, found by listing the tags', async () => {
    const name = await availableSnapshot();
    await gateway.emulator.inject({ action: 'AddTagsToResource', afterOperation: true, dropConnection: true, times: 2 });
    const { body } = await run('tag', { serverlessCacheSnapshotName: name, tags: [{ key: 'env', value: 'prod' }] });
    expect(body.data?.result).toMatchObject({ __typename: 'TagServerlessCacheSnapshotSuccess', tags: [{ key: 'env', value: 'prod' }] });
  });

  it('a copy still running at AWS when the gateway stopped waiting is OUTCOME_UNKNOWN, never UPSTREAM_UNAVAILABLE; its key settles it', async () => {
    const source = await availableSnapshot();
    const input = { sourceServerlessCacheSnapshotName: source, targetServerlessCacheSnapshotName: nextName('copy'), idempotencyKey: `slow-${counter}` };
    // Each attempt outlasts the request timeout (1 s), and the first one's copy is made only after
    // the second has been given up: the describe then finds nothing, yet the copy is coming.
    await gateway.emulator.inject({ action: 'CopyServerlessCacheSnapshot', delayMs: 3_000, times: 2 });
    const first = await run('copy', input);
    expect(first.body.errors?.[0]?.extensions).toEqual({ code: 'OUTCOME_UNKNOWN', retryable: true });
    for (let i = 0; i < 100 && (await gateway.emulator.snapshot(input.targetServerlessCacheSnapshotName)) === null; i++) await sleep(50);
    expect((await run('copy', input)).body.data?.result?.__typename).toBe('CopyServerlessCacheSnapshotSuccess');
  }, 15_000);

  it('a copy replayed by its key even after its source is gone', async () => {
    const source = await availableSnapshot();
    const input = { sourceServerlessCacheSnapshotName: source, targetServerlessCacheSnapshotName: nextName('copy'), idempotencyKey: `replay-${counter}` };
    const first = await run('copy', input);
    expect(first.body.data?.result?.__typename).toBe('CopyServerlessCacheSnapshotSuccess');
    expect((await run('delete', { serverlessCacheSnapshotName: source })).body.data?.result?.__typename).toBe('DeleteServerlessCacheSnapshotSuccess');
    await waitForStatus(source, null);
    expect((await run('copy', input)).body).toEqual(first.body);
  });

  it('a delete whose answer was lost, and whose retry finds the snapshot deleting: success', async () => {
    const name = await availableSnapshot();
    await gateway.emulator.inject({ action: 'DeleteServerlessCacheSnapshot', afterOperation: true, dropConnection: true });
    const { body } = await run('delete', { serverlessCacheSnapshotName: name });
    expect(body.data?.result).toMatchObject({ __typename: 'DeleteServerlessCacheSnapshotSuccess', serverlessCacheSnapshot: { status: 'deleting' } });
  });

  it('a copy whose answer was lost: success, and the same idempotency key answers it again without a second copy', async () => {
    const source = await availableSnapshot();
    const input = { sourceServerlessCacheSnapshotName: source, targetServerlessCacheSnapshotName: nextName('copy'), idempotencyKey: `key-${counter}` };
    await gateway.emulator.inject({ action: 'CopyServerlessCacheSnapshot', afterOperation: true, dropConnection: true });
    const first = await run('copy', input);
    expect(first.body.data?.result?.__typename).toBe('CopyServerlessCacheSnapshotSuccess');
    const copies = await awsCalls('CopyServerlessCacheSnapshot');
    expect((await run('copy', input)).body).toEqual(first.body);
    expect(await awsCalls('CopyServerlessCacheSnapshot')).toBe(copies);
  });
});

it('a restore whose answer was lost: success, and its idempotency key replays it', async () => {
  const name = await availableSnapshot();
  const input = { serverlessCacheName: nextName('restored'), snapshotNames: [name], idempotencyKey: `restore-${counter}` };
  await gateway.emulator.inject({ action: 'CreateServerlessCache', afterOperation: true, dropConnection: true });
  const first = await run('restore', input);
  expect(first.body.data?.result?.__typename).toBe('RestoreServerlessCacheFromSnapshotSuccess');
  const calls = await awsCalls('CreateServerlessCache');
  expect((await run('restore', input)).body).toEqual(first.body);
  expect(await awsCalls('CreateServerlessCache')).toBe(calls);
});

describe('who may do what', () => {
  let authenticated: TestGateway;
  let keys: Record<string, string>;
  let valkeySnapshot: string;
  beforeAll(async () => {
    valkeySnapshot = await availableSnapshot();
    const written = writeApiKeys([
      { id: 'redis-writer', scopes: ['snapshots:read', 'snapshots:write'], caches: ['demo-redis'] },
      { id: 'valkey-reader', scopes: ['snapshots:read'], caches: ['demo-valkey'] },
    ]);
    keys = written.keys;
    authenticated = await startTestGateway({ env: { AUTH_API_KEYS_FILE: written.file, EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '0' } });
  });
  afterAll(async () => authenticated.close());

  it('a snapshot of a cache the caller may not see is answered as one that does not exist', async () => {
    // The other gateway has its own emulator: make the snapshot there.
    await authenticated.graphql(CREATE, { input: { serverlessCacheSnapshotName: valkeySnapshot, serverlessCacheName: 'demo-valkey' } }, { 'x-api-key': keys['redis-writer']! });
    const { body } = await run('delete', { serverlessCacheSnapshotName: valkeySnapshot }, authenticated, { 'x-api-key': keys['redis-writer']! });
    expect(body.data?.result?.__typename).toBe('ServerlessCacheSnapshotNotFoundFault');
  });

  it('one the caller may see but not change is FORBIDDEN', async () => {
    const { body } = await run('tag', { serverlessCacheSnapshotName: valkeySnapshot, tags: [{ key: 'k', value: 'v' }] }, authenticated, { 'x-api-key': keys['valkey-reader']! });
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

it('a snapshot through its life: create, copy, restore a cache from the copy, export, tag, untag, delete both; the subscription follows the copy to available and the delete until gone', async () => {
  const name = await availableSnapshot();
  const client = connect(gateway.url);
  const follow = (snapshot: string) =>
    subscribe<{ serverlessCacheSnapshotStatusChanged: { status: string } }>(
      client,
      'subscription ($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { status } }',
      { name: snapshot },
    );
  const statuses = (events: { data?: { serverlessCacheSnapshotStatusChanged: { status: string } } | null }[]) =>
    events.map((e) => e.data?.serverlessCacheSnapshotStatusChanged.status);
  try {
    const copy = nextName('copy');
    expect((await run('copy', { sourceServerlessCacheSnapshotName: name, targetServerlessCacheSnapshotName: copy })).body.data?.result?.__typename).toBe('CopyServerlessCacheSnapshotSuccess');
    const copying = follow(copy);
    await copying.done;
    expect(statuses(copying.events).at(-1)).toBe('available');
    const restored = nextName('restored');
    expect((await run('restore', { serverlessCacheName: restored, snapshotNames: [copy] })).body.data?.result?.__typename).toBe('RestoreServerlessCacheFromSnapshotSuccess');
    await waitFor(async () => (await cacheStatus(restored)) === 'available');

    expect((await run('export', { serverlessCacheSnapshotName: name, s3BucketName: 'demo-exports' })).body.data?.result?.__typename).toBe('ExportServerlessCacheSnapshotSuccess');
    const exporting = follow(name);
    await exporting.done;
    expect(statuses(exporting.events)).toEqual(['exporting', 'available']);

    expect((await run('tag', { serverlessCacheSnapshotName: name, tags: [{ key: 'stage', value: 'done' }] })).body.data?.result?.__typename).toBe('TagServerlessCacheSnapshotSuccess');
    expect((await run('untag', { serverlessCacheSnapshotName: name, tagKeys: ['stage'] })).body.data?.result?.__typename).toBe('UntagServerlessCacheSnapshotSuccess');

    for (const each of [copy, name]) {
      expect((await run('delete', { serverlessCacheSnapshotName: each })).body.data?.result?.__typename).toBe('DeleteServerlessCacheSnapshotSuccess');
    }
    const deleting = follow(name);
    await deleting.done;
    // Reports `deleting`, and completes once the snapshot is gone.
    expect(statuses(deleting.events)).toEqual(['deleting']);
    expect(await status(name)).toBeNull();
    await waitForStatus(copy, null);
  } finally {
    await client.dispose();
  }
});
