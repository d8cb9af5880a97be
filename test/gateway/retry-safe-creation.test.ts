/**
 * A create whose answer is lost is never reported as a failure when the snapshot exists, and a
 * retried action (same idempotency key) never creates twice. End to end: HTTP to the gateway, the
 * real SDK to the emulator, which loses answers on request (`afterOperation`).
 */
import { randomUUID } from 'node:crypto';
import { writeApiKeys } from '../support/auth';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway';

const CREATE = /* GraphQL */ `
  mutation ($input: CreateServerlessCacheSnapshotInput!) {
    createServerlessCacheSnapshot(input: $input) {
      __typename
      ... on CreateServerlessCacheSnapshotSuccess {
        serverlessCacheSnapshot {
          serverlessCacheSnapshotName
          status
          createTime
          serverlessCacheConfiguration {
            serverlessCacheName
          }
        }
        tags {
          key
          value
        }
      }
      ... on Fault {
        code
        message
      }
    }
  }
`;

interface CreateData {
  createServerlessCacheSnapshot: {
    __typename: string;
    serverlessCacheSnapshot?: { serverlessCacheSnapshotName: string; status: string; createTime: string };
  } | null;
}

let gateway: TestGateway;
let counter = 0;
const nextName = () => `retry-safe-${++counter}`;

beforeAll(async () => {
  gateway = await startTestGateway({ env: { UPSTREAM_REQUEST_TIMEOUT_MS: '300', AWS_MAX_ATTEMPTS: '2' } });
});
afterAll(async () => gateway.close());
afterEach(async () => gateway.emulator.clearInjections());

function create(input: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLResponse<CreateData>> {
  return gateway.graphql<CreateData>(CREATE, { input: { serverlessCacheName: 'demo-valkey', ...input } }, headers);
}

/** AWS calls made while `run` ran, per action. */
async function callsDuring<T>(run: () => Promise<T>): Promise<{ result: T; creates: number; describes: number }> {
  const before = await gateway.emulator.calls();
  const result = await run();
  const after = await gateway.emulator.calls();
  const delta = (action: string) => (after[action] ?? 0) - (before[action] ?? 0);
  return { result, creates: delta('CreateServerlessCacheSnapshot'), describes: delta('DescribeServerlessCacheSnapshots') };
}

const typename = (response: GraphQLResponse<CreateData>) => response.body.data?.createServerlessCacheSnapshot?.__typename;

describe('a lost answer is settled by asking AWS', () => {
  it.each([
    ['the connection dropped after AWS created it', { afterOperation: true, dropConnection: true }],
    ['a 503 answered after AWS created it', { afterOperation: true, code: 'ServiceUnavailable', status: 503 }],
    ['both attempts lost after the first created it', { afterOperation: true, dropConnection: true, times: 2 }],
  ])('%s: success, not "name taken" or "unavailable"', async (_, injection) => {
    const name = nextName();
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', ...injection });
    const { result, creates, describes } = await callsDuring(() => create({ serverlessCacheSnapshotName: name }));
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.createServerlessCacheSnapshot).toMatchObject({
      __typename: 'CreateServerlessCacheSnapshotSuccess',
      serverlessCacheSnapshot: { serverlessCacheSnapshotName: name, serverlessCacheConfiguration: { serverlessCacheName: 'demo-valkey' } },
    });
    expect(creates).toBe(2);
    expect(describes).toBe(1);
    expect(gateway.logs.find((l) => l.audit === true && l.serverlessCacheSnapshotName === name)).toMatchObject({
      outcome: 'CreateServerlessCacheSnapshotSuccess',
      reconciled: true,
    });
  });

  it('a name taken on the first attempt stays a fault, without a describe: the snapshot is someone else\'s', async () => {
    const name = nextName();
    expect(typename(await create({ serverlessCacheSnapshotName: name }))).toBe('CreateServerlessCacheSnapshotSuccess');
    const { result, describes } = await callsDuring(() => create({ serverlessCacheSnapshotName: name }));
    expect(typename(result)).toBe('ServerlessCacheSnapshotAlreadyExistsFault');
    expect(describes).toBe(0);
  });

  it('a name taken on a retry by a snapshot of another cache stays a fault', async () => {
    const name = nextName();
    expect(typename(await create({ serverlessCacheSnapshotName: name, serverlessCacheName: 'demo-redis' }))).toBe('CreateServerlessCacheSnapshotSuccess');
    // The first attempt is lost before AWS sees it; the retry meets the other cache's snapshot.
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', dropConnection: true });
    const { result, creates, describes } = await callsDuring(() => create({ serverlessCacheSnapshotName: name }));
    expect(typename(result)).toBe('ServerlessCacheSnapshotAlreadyExistsFault');
    expect([creates, describes]).toEqual([2, 1]);
  });

  it('connections dropped before AWS saw anything: UPSTREAM_UNAVAILABLE, and indeed nothing exists', async () => {
    const name = nextName();
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', dropConnection: true, times: 2 });
    const response = await create({ serverlessCacheSnapshotName: name });
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(await gateway.emulator.snapshot(name)).toBeNull();
  });

  it('when the describe fails too: OUTCOME_UNKNOWN (never a fault, never UPSTREAM_UNAVAILABLE), and the same key settles it', async () => {
    const name = nextName();
    const idempotencyKey = randomUUID();
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', afterOperation: true, dropConnection: true, times: 2 });
    await gateway.emulator.inject({ action: 'DescribeServerlessCacheSnapshots', code: 'ServiceUnavailable', status: 503, times: 2 });
    const first = await create({ serverlessCacheSnapshotName: name, idempotencyKey });
    expect(first.body.data).toEqual({ createServerlessCacheSnapshot: null });
    expect(first.body.errors?.[0]?.extensions).toEqual({ code: 'OUTCOME_UNKNOWN', retryable: true });
    expect(await gateway.emulator.snapshot(name)).not.toBeNull();

    // Without the key, a retry could only say the name is taken; with it, the gateway knows the
    // earlier call may have made it, and checks.
    const { result: retry, creates } = await callsDuring(() => create({ serverlessCacheSnapshotName: name, idempotencyKey }));
    expect(typename(retry)).toBe('CreateServerlessCacheSnapshotSuccess');
    expect(creates).toBe(1);
  });

  it('a create still running at AWS when the gateway gave up is OUTCOME_UNKNOWN; the same key later finds the snapshot', async () => {
    const name = nextName();
    const idempotencyKey = randomUUID();
    // Each attempt outlasts the request timeout (300 ms), and the emulator creates it afterwards.
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', delayMs: 1000, times: 2 });
    const first = await create({ serverlessCacheSnapshotName: name, idempotencyKey });
    expect(first.body.errors?.[0]?.extensions).toEqual({ code: 'OUTCOME_UNKNOWN', retryable: true });
    while ((await gateway.emulator.snapshot(name)) === null) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(typename(await create({ serverlessCacheSnapshotName: name, idempotencyKey }))).toBe('CreateServerlessCacheSnapshotSuccess');
  });
});

describe('idempotency keys', () => {
  it('the same key and input again: the first answer, and no second AWS create', async () => {
    const input = { serverlessCacheSnapshotName: nextName(), idempotencyKey: randomUUID(), tags: [{ key: 'team', value: 'a' }] };
    const first = await create(input);
    expect(typename(first)).toBe('CreateServerlessCacheSnapshotSuccess');
    const { result: again, creates } = await callsDuring(() => create(input));
    expect(creates).toBe(0);
    expect(again.body).toEqual(first.body);
    expect(gateway.logs.filter((l) => l.audit === true && l.serverlessCacheSnapshotName === input.serverlessCacheSnapshotName).at(-1)).toMatchObject({
      replayed: true,
    });
  });

  it('a fault is an answer too: replayed without calling AWS', async () => {
    const input = { serverlessCacheSnapshotName: nextName(), serverlessCacheName: 'no-such-cache', idempotencyKey: randomUUID() };
    expect(typename(await create(input))).toBe('ServerlessCacheNotFoundFault');
    const { result, creates } = await callsDuring(() => create(input));
    expect(typename(result)).toBe('ServerlessCacheNotFoundFault');
    expect(creates).toBe(0);
  });

  it('concurrent duplicates wait for the first: one AWS create, one answer for all', async () => {
    const input = { serverlessCacheSnapshotName: nextName(), idempotencyKey: randomUUID() };
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', delayMs: 200 });
    const { result, creates } = await callsDuring(() => Promise.all([create(input), create(input), create(input)]));
    expect(creates).toBe(1);
    expect(result.map(typename)).toEqual(Array(3).fill('CreateServerlessCacheSnapshotSuccess'));
    expect(new Set(result.map((r) => JSON.stringify(r.body))).size).toBe(1);
  });

  it('the same key with a different input: IDEMPOTENCY_KEY_REUSED, and nothing runs', async () => {
    const idempotencyKey = randomUUID();
    const name = nextName();
    await create({ serverlessCacheSnapshotName: name, idempotencyKey });
    const { result, creates } = await callsDuring(() => create({ serverlessCacheSnapshotName: nextName(), idempotencyKey }));
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ createServerlessCacheSnapshot: null });
    expect(result.body.errors?.[0]).toMatchObject({ path: ['createServerlessCacheSnapshot'], extensions: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(creates).toBe(0);
    // Names differ in case only: AWS stores them in lower case, so this is the same input.
    expect(typename(await create({ serverlessCacheSnapshotName: name.toUpperCase(), idempotencyKey }))).toBe('CreateServerlessCacheSnapshotSuccess');
  });

  it('a malformed key is BAD_USER_INPUT before anything runs', async () => {
    for (const idempotencyKey of ['', 'x'.repeat(65), 'has space', 'caf\u00e9']) {
      const { result, creates } = await callsDuring(() => create({ serverlessCacheSnapshotName: nextName(), idempotencyKey }));
      expect(result.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: ['input', 'idempotencyKey'] });
      expect(creates).toBe(0);
    }
  });

  it('input the gateway refuses itself is not recorded: the key stays free for the corrected input', async () => {
    const idempotencyKey = randomUUID();
    const invalid = await create({ serverlessCacheSnapshotName: nextName(), idempotencyKey, tags: [{ key: 'aws:reserved', value: 'x' }] });
    expect(typename(invalid)).toBe('InvalidParameterValueException');
    expect(typename(await create({ serverlessCacheSnapshotName: nextName(), idempotencyKey }))).toBe('CreateServerlessCacheSnapshotSuccess');
  });
});

describe('idempotency keys are per caller', () => {
  let authenticated: TestGateway;
  let keys: Record<string, string>;
  beforeAll(async () => {
    const everything = { scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] };
    const written = writeApiKeys([
      { id: 'billing-svc', ...everything },
      { id: 'search-svc', ...everything },
    ]);
    keys = written.keys;
    authenticated = await startTestGateway({ env: { AUTH_API_KEYS_FILE: written.file } });
  });
  afterAll(async () => authenticated.close());

  it("another caller's identical key is a different key", async () => {
    const idempotencyKey = randomUUID();
    const as = (caller: string, name: string) =>
      authenticated.graphql<CreateData>(
        CREATE,
        { input: { serverlessCacheName: 'demo-valkey', serverlessCacheSnapshotName: name, idempotencyKey } },
        { 'x-api-key': keys[caller]! },
      );
    expect(typename(await as('billing-svc', 'billing-nightly'))).toBe('CreateServerlessCacheSnapshotSuccess');
    // Not IDEMPOTENCY_KEY_REUSED, and not billing's answer: search's own create runs.
    expect(typename(await as('search-svc', 'search-nightly'))).toBe('CreateServerlessCacheSnapshotSuccess');
    expect(await authenticated.emulator.snapshot('search-nightly')).not.toBeNull();
  });
});
