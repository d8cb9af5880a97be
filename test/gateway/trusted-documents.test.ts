/**
 * Trusted documents, end to end: registered documents sent by id (`documentId`, Apollo Client's
 * persisted-query hash) or by text; TRUSTED_DOCUMENTS_ONLY refusing anything else on HTTP and
 * WebSocket; a manifest the gateway would refuse failing the start; and the differential test
 * holding the lean path to Apollo's answers.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print, type DocumentNode } from 'graphql';
import * as kit from '../../client/generated/graphql';
import { writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { connect, subscribe } from '../support/subscriptions';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const KIT_MANIFEST = join(__dirname, '../../client/trusted-documents.json');
const kitText = (document: DocumentNode) => print(document);

/** Documents only the tests use, registered alongside the client kit's. */
const EXTRA = {
  tooCostly: 'query TooCostly { serverlessCaches(first: 50) { edges { node { snapshots(first: 50) { edges { node { serverlessCacheSnapshotName } } } } } } }',
  requiredVariable: 'query Required($name: String!) { serverlessCacheSnapshot(name: $name) { serverlessCacheSnapshotName } }',
  twoOperations: 'query First { serverlessCaches(first: 1) { edges { cursor } } }\nquery Second { serverlessCaches(first: 2) { edges { cursor } } }',
  createBare:
    'mutation CreateBare($n: String!, $c: String!) { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n, serverlessCacheName: $c}) { __typename ... on Fault { code message } } }',
};

function manifestFile(extra: Record<string, string> = EXTRA): string {
  const manifest = JSON.parse(readFileSync(KIT_MANIFEST, 'utf8')) as Record<string, string>;
  for (const text of Object.values(extra)) manifest[sha256(text)] = text;
  const file = join(mkdtempSync(join(tmpdir(), 'trusted-')), 'documents.json');
  writeFileSync(file, JSON.stringify(manifest));
  return file;
}

async function post(gateway: TestGateway, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const pathCounts = (gateway: TestGateway) => gateway.counts('graphql_http_requests_by_path_total', 'path');

describe('registered documents', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { TRUSTED_DOCUMENTS_FILE: manifestFile() } });
  });
  afterAll(() => gateway.close());

  const caches = kitText(kit.ServerlessCachesDocument);

  it('runs a document named by documentId, on the lean path', async () => {
    const before = await pathCounts(gateway);
    const answer = await post(gateway, { documentId: `sha256:${sha256(caches)}`, variables: { first: 2 } });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { data: { serverlessCaches: { edges: unknown[] } } };
    expect(body.data.serverlessCaches.edges).toHaveLength(2);
    expect((await pathCounts(gateway)).lean).toBe((before.lean ?? 0) + 1);
  });

  it("runs a document named by Apollo Client's persisted-query hash, sent without its text", async () => {
    const answer = await post(gateway, { variables: { first: 1 }, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(caches) } } });
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.text) as { data: { serverlessCaches: { edges: unknown[] } } }).data.serverlessCaches.edges).toHaveLength(1);
  });

  it('runs a registered document sent by GET with its documentId', async () => {
    const response = await fetch(`${gateway.url}/graphql?documentId=sha256:${sha256(caches)}&variables=${encodeURIComponent('{"first":1}')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { serverlessCaches: { edges: unknown[] } } }).data.serverlessCaches.edges).toHaveLength(1);
  });

  it('refuses an unknown or malformed documentId, or one sent with a query, before anything runs', async () => {
    const calls = await gateway.emulator.calls();
    const unknown = await post(gateway, { documentId: `sha256:${'0'.repeat(64)}` });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text)).toEqual({ errors: [{ message: expect.stringContaining('No registered document'), extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    const malformed = await post(gateway, { documentId: sha256(caches) });
    expect(malformed.status).toBe(400);
    expect((JSON.parse(malformed.text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
    const both = await post(gateway, { documentId: `sha256:${sha256(caches)}`, query: caches });
    expect(both.status).toBe(400);
    expect(await gateway.emulator.calls()).toEqual(calls);
  });

  it("answers an unknown persisted-query hash as Apollo does, so Apollo Client resends the text", async () => {
    const answer = await post(gateway, { extensions: { persistedQuery: { version: 1, sha256Hash: '1'.repeat(64) } } });
    expect((JSON.parse(answer.text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('still runs documents that are not registered (TRUSTED_DOCUMENTS_ONLY is off)', async () => {
    const answer = await gateway.graphql<{ serverlessCaches: { edges: unknown[] } }>('{ serverlessCaches(first: 1) { edges { cursor } } }');
    expect(answer.body.data?.serverlessCaches.edges).toHaveLength(1);
  });
});

describe('TRUSTED_DOCUMENTS_ONLY=true', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { TRUSTED_DOCUMENTS_FILE: manifestFile(), TRUSTED_DOCUMENTS_ONLY: 'true' } });
  });
  afterAll(() => gateway.close());

  const refused = { errors: [{ message: expect.stringContaining('registered documents only'), extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }] };

  it('refuses a document that is not registered, over POST and GET, before it runs', async () => {
    const calls = await gateway.emulator.calls();
    const created = await post(gateway, {
      query: 'mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "not-registered", serverlessCacheName: "demo-valkey"}) { __typename } }',
    });
    expect(created.status).toBe(400);
    expect(JSON.parse(created.text)).toEqual(refused);
    const got = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent('{ serverlessCaches { edges { cursor } } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(got.status).toBe(400);
    expect(await got.json()).toEqual(refused);
    expect(await gateway.emulator.calls()).toEqual(calls);
    expect(await gateway.emulator.snapshot('not-registered')).toBeNull();
    expect((await pathCounts(gateway)).refused).toBeGreaterThanOrEqual(2);
    // Written through Fastify's request logger: the line names its request and where it came from.
    const requestId = created.headers.get('x-request-id');
    expect(gateway.logs.filter((line) => line.requestId === requestId && line.msg === 'GraphQL request refused before it ran')).toEqual([
      expect.objectContaining({ component: 'http', code: 'PERSISTED_QUERY_NOT_IN_LIST' }),
    ]);
  });

  it('runs registered documents, by id or by their exact text', async () => {
    const text = EXTRA.createBare;
    const byText = await post(gateway, { query: text, variables: { n: 'registered-by-text', c: 'demo-valkey' } });
    expect(JSON.parse(byText.text)).toEqual({ data: { createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } } });
    const byId = await post(gateway, { documentId: `sha256:${sha256(text)}`, variables: { n: 'registered-by-id', c: 'demo-valkey' } });
    expect(JSON.parse(byId.text)).toEqual({ data: { createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } } });
    // The same text with one more space is another document.
    const altered = await post(gateway, { query: `${text} `, variables: { n: 'altered', c: 'demo-valkey' } });
    expect(JSON.parse(altered.text)).toEqual(refused);
  });

  it('refuses an unregistered subscription on the WebSocket and serves a registered one', async () => {
    const client = connect(gateway.url);
    try {
      const unregistered = subscribe(client, 'subscription { serverlessCacheSnapshotStatusChanged(serverlessCacheSnapshotName: "x") { status } }', {});
      await expect(unregistered.done).rejects.toThrow(/PERSISTED_QUERY_NOT_IN_LIST/);
      await post(gateway, { query: EXTRA.createBare, variables: { n: 'watched', c: 'demo-valkey' } });
      const registered = subscribe<{ serverlessCacheSnapshotStatusChanged: { status: string } }>(client, kitText(kit.ServerlessCacheSnapshotStatusChangedDocument), {
        name: 'watched',
      });
      await registered.received(1);
      expect(registered.events[0]?.data?.serverlessCacheSnapshotStatusChanged.status).toEqual(expect.any(String));
      registered.unsubscribe();
    } finally {
      await client.dispose();
    }
  });
});

describe('a manifest the gateway cannot use fails the start', () => {
  const start = (manifest: Record<string, string>) => {
    const file = join(mkdtempSync(join(tmpdir(), 'trusted-')), 'documents.json');
    writeFileSync(file, JSON.stringify(manifest));
    return startTestGateway({ env: { TRUSTED_DOCUMENTS_FILE: file, GRAPHQL_MAX_DEPTH: '5' } });
  };

  it('names an entry whose key is not the hash of its text', async () => {
    await expect(start({ [sha256('{ a }')]: '{ serverlessCaches { edges { cursor } } }' })).rejects.toThrow(/does not hash to its key/);
  });

  it('names an entry every request would be refused for (too deep, unknown field)', async () => {
    const deep = '{ serverlessCaches { edges { node { snapshots { edges { node { serverlessCacheSnapshotName } } } } } } }';
    await expect(start({ [sha256(deep)]: deep })).rejects.toThrow(new RegExp(`${sha256(deep)} would be refused`));
    await expect(start({ [sha256('{ nope }')]: '{ nope }' })).rejects.toThrow(/would be refused: Cannot query field "nope"/);
  });
});

/**
 * The lean path must answer exactly as Apollo does. Two gateways, identical but for the manifest
 * (A has none: Apollo answers everything; B runs registered documents on the lean path), each with
 * its own emulator in the same state, get the same requests; status, the headers a client reads,
 * and the body must match, after the values that differ by nature (AWS request ids, timestamps).
 */
describe('differential: the lean path answers as Apollo does', () => {
  const { file: keysFile, keys } = writeApiKeys([
    { id: 'admin', scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] },
    { id: 'valkey-reader', scopes: ['snapshots:read'], caches: ['demo-valkey'] },
    { id: 'limited', scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] },
  ]);
  const MUTATIONS_PER_MINUTE = 30;
  const env = { AUTH_API_KEYS_FILE: keysFile, RATE_LIMIT_MUTATIONS_PER_MINUTE: String(MUTATIONS_PER_MINUTE), EMULATOR_DAILY_SNAPSHOT_QUOTA: '100', EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '0' };
  let apollo: TestGateway;
  let lean: TestGateway;
  beforeAll(async () => {
    [apollo, lean] = await Promise.all([startTestGateway({ env }), startTestGateway({ env: { ...env, TRUSTED_DOCUMENTS_FILE: manifestFile() } })]);
  });
  afterAll(() => Promise.all([apollo.close(), lean.close()]));

  const HEADERS = ['content-type', 'cache-control', 'retry-after', 'www-authenticate'];
  const normalise = (text: string) =>
    text
      .replace(/"awsRequestId":"[^"]+"/g, '"awsRequestId":"<id>"')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      .replace(/Retry in \d+ s/g, 'Retry in <n> s')
      // Cursors carry AWS's page tokens, which carry the emulator's creation times.
      .replace(/"(cursor|startCursor|endCursor)":"[^"]+"/g, '"$1":"<cursor>"');
  const kitCreate = kitText(kit.CreateServerlessCacheSnapshotDocument);
  const kitSnapshots = kitText(kit.ServerlessCacheSnapshotsDocument);
  const kitSnapshot = kitText(kit.ServerlessCacheSnapshotDocument);
  const kitDelete = kitText(kit.DeleteServerlessCacheSnapshotDocument);
  const admin = { 'x-api-key': keys.admin! };
  const reader = { 'x-api-key': keys['valkey-reader']! };
  const limited = { 'x-api-key': keys.limited! };
  /** Empties the `limited` caller's mutation bucket, with creates the gateway refuses itself (no AWS call). */
  const spendMutations = async (gateway: TestGateway) => {
    for (let i = 0; i < MUTATIONS_PER_MINUTE; i++) await post(gateway, { query: EXTRA.createBare, variables: { n: 'x'.repeat(300), c: 'demo-valkey' } }, limited);
  };
  const tagged = (name: string) => ({ serverlessCacheSnapshotName: name, tags: [{ key: 'team', value: 'web' }] });

  /** Every answer the lean gateway gave, for the coverage check at the end. */
  const answers: string[] = [];
  type Case = [name: string, body: Record<string, unknown>, headers: Record<string, string>, setup?: (gateway: TestGateway) => Promise<void>];
  const cases: Case[] = [
    ['a list', { query: kitSnapshots, variables: { first: 5 } }, admin],
    ['a create', { query: kitCreate, variables: { input: { serverlessCacheSnapshotName: 'diff-1', serverlessCacheName: 'demo-valkey', tags: [{ key: 'k', value: 'v' }] } } }, admin],
    ['the created snapshot, read back', { query: kitSnapshot, variables: { name: 'diff-1' } }, admin],
    ['a create by documentId', { documentId: `sha256:${sha256(kitCreate)}`, variables: { input: { serverlessCacheSnapshotName: 'diff-2', serverlessCacheName: 'demo-redis' } } }, admin],
    ['a fault: the name is taken', { query: kitCreate, variables: { input: { serverlessCacheSnapshotName: 'diff-1', serverlessCacheName: 'demo-valkey' } } }, admin],
    ['a fault: no such cache', { query: kitCreate, variables: { input: { serverlessCacheSnapshotName: 'diff-3', serverlessCacheName: 'no-such-cache' } } }, admin],
    ['a gateway-side rule (name too long)', { query: kitCreate, variables: { input: { serverlessCacheSnapshotName: 'x'.repeat(300), serverlessCacheName: 'demo-valkey' } } }, admin],
    [
      'AWS throttling',
      { query: kitCreate, variables: { input: { serverlessCacheSnapshotName: 'diff-4', serverlessCacheName: 'demo-valkey' } } },
      admin,
      (gateway) => gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', code: 'Throttling', status: 400, times: 2 }),
    ],
    ['a delete', { query: kitDelete, variables: { input: { serverlessCacheSnapshotName: 'diff-2' } } }, admin],
    ['FORBIDDEN: a reader writes', { query: kitCreate, variables: { input: { serverlessCacheSnapshotName: 'diff-5', serverlessCacheName: 'demo-valkey' } } }, reader],
    ['invisible to the caller', { query: kitSnapshot, variables: { name: 'diff-1' } }, { 'x-api-key': keys['valkey-reader']! }],
    ['a list filtered by authorization', { query: kitSnapshots, variables: { first: 10 } }, reader],
    ['no credentials', { query: kitSnapshots, variables: { first: 1 } }, {}],
    ['a missing required variable', { query: EXTRA.requiredVariable, variables: {} }, admin],
    ['a variable of the wrong type', { query: kitSnapshots, variables: { first: 'many' } }, admin],
    ['over the cost limit', { query: EXTRA.tooCostly }, admin],
    ['an operation picked by name', { query: EXTRA.twoOperations, operationName: 'Second' }, admin],
    ['a variable the document does not declare', { query: kitSnapshots, variables: { first: 1, extra: true } }, admin],
    [
      "Apollo Client 4's request: by hash, with its clientLibrary extension",
      { variables: { first: 2 }, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(kitSnapshots) }, clientLibrary: { name: '@apollo/client', version: '4.0.0' } } },
      admin,
    ],
    [
      'a registered text with a persisted-query hash that is not its own',
      { query: kitSnapshots, variables: { first: 1 }, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
      admin,
    ],
    ['a persisted query of another version', { query: kitSnapshots, variables: { first: 1 }, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(kitSnapshots) } } }, admin],
    ['documentId: null beside a query', { query: kitSnapshots, variables: { first: 1 }, documentId: null }, admin],
    ['graphql-response+json', { query: kitSnapshots, variables: { first: 2 } }, { ...admin, accept: 'application/graphql-response+json,application/json;q=0.9' }],
    ['a copy', { query: kitText(kit.CopyServerlessCacheSnapshotDocument), variables: { input: { sourceServerlessCacheSnapshotName: 'diff-1', targetServerlessCacheSnapshotName: 'diff-copy' } } }, admin],
    ['a copy whose source is missing', { query: kitText(kit.CopyServerlessCacheSnapshotDocument), variables: { input: { sourceServerlessCacheSnapshotName: 'gone', targetServerlessCacheSnapshotName: 'diff-copy-2' } } }, admin],
    ['a tag', { query: kitText(kit.TagServerlessCacheSnapshotDocument), variables: { input: tagged('diff-1') } }, admin],
    ['an untag', { query: kitText(kit.UntagServerlessCacheSnapshotDocument), variables: { input: { serverlessCacheSnapshotName: 'diff-1', tagKeys: ['team'] } } }, admin],
    ['an export to a bucket not allowed', { query: kitText(kit.ExportServerlessCacheSnapshotDocument), variables: { input: { serverlessCacheSnapshotName: 'diff-1', s3BucketName: 'elsewhere' } } }, admin],
    ['a restore', { query: kitText(kit.RestoreServerlessCacheFromSnapshotDocument), variables: { input: { serverlessCacheName: 'diff-restored', snapshotNames: ['diff-1'] } } }, admin],
    ['a cache with its snapshots', { query: kitText(kit.ServerlessCacheDocument), variables: { name: 'demo-valkey', snapshotsFirst: 3 } }, admin],
    ['a node by id', { query: kitText(kit.NodeDocument), variables: { id: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:diff-1' } }, admin],
    ['a node that is not there', { query: kitText(kit.NodeDocument), variables: { id: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:none' } }, admin],
    ['rate limited', { query: EXTRA.createBare, variables: { n: 'diff-6', c: 'demo-valkey' } }, limited, spendMutations],
    ['rate limited again', { query: kitCreate, variables: { input: { serverlessCacheSnapshotName: 'diff-7', serverlessCacheName: 'demo-valkey' } } }, limited],
  ];

  it.each(cases.map((c, i) => [i, c[0]] as const))('case %i: %s', async (i) => {
    const [, body, headers, setup] = cases[i]!;
    if (setup !== undefined) await Promise.all([setup(apollo), setup(lean)]);
    const before = await pathCounts(lean);
    // Gateway A knows no ids: it gets the document's text instead (as Apollo Client resends it).
    const { documentId, ...rest } = body;
    const a = await post(apollo, typeof documentId === 'string' ? { ...rest, query: kitCreate } : body.query === undefined ? { ...body, query: kitSnapshots } : body, headers);
    const b = await post(lean, body, headers);
    answers.push(`${b.status} ${b.text}`);
    expect({ status: b.status, body: normalise(b.text) }).toEqual({ status: a.status, body: normalise(a.text) });
    for (const header of HEADERS) expect([header, b.headers.get(header)]).toEqual([header, a.headers.get(header)]);
    // A request refused at the door (no credentials) never reaches either path.
    const counted = (await pathCounts(lean)).lean ?? 0;
    // Requests the lean path cannot answer as Apollo does go to Apollo on both gateways.
    const leanAnswers = headers['x-api-key'] !== undefined && !/persisted-query hash that is not|another version/.test(cases[i]![0]);
    expect(counted).toBe((before.lean ?? 0) + (leanAnswers ? 1 : 0));
    expect((await pathCounts(apollo)).lean ?? 0).toBe(0);
  });

  it('covered what it claims: successes, faults, every kind of error, and the statuses', () => {
    const seen = new Set(answers.flatMap((answer) => [...answer.matchAll(/"(?:__typename|code)":"([A-Za-z_]+)"/g)].map((m) => m[1]!)));
    const statuses = new Set(answers.map((answer) => Number(answer.slice(0, 3))));
    for (const expected of [
      'CreateServerlessCacheSnapshotSuccess',
      'DeleteServerlessCacheSnapshotSuccess',
      'CopyServerlessCacheSnapshotSuccess',
      'TagServerlessCacheSnapshotSuccess',
      'UntagServerlessCacheSnapshotSuccess',
      'RestoreServerlessCacheFromSnapshotSuccess',
      'ServerlessCacheSnapshotAlreadyExistsFault',
      'ServerlessCacheNotFoundFault',
      'ServerlessCacheSnapshotNotFoundFault',
      'InvalidParameterValueException',
      'UPSTREAM_THROTTLED',
      'FORBIDDEN',
      'UNAUTHENTICATED',
      'BAD_USER_INPUT',
      'GRAPHQL_VALIDATION_FAILED',
      'RATE_LIMITED',
    ]) {
      expect([expected, seen.has(expected)]).toEqual([expected, true]);
    }
    expect([...statuses].sort()).toEqual([200, 400, 401, 429]);
  });

  it('records the same operations in the metrics on both paths', async () => {
    const operations = async (gateway: TestGateway) =>
      ((await gateway.metrics.registry.getSingleMetric('graphql_operations_total')?.get())?.values ?? [])
        .map((value) => `${String(value.labels.operation_name)} ${String(value.labels.operation_type)} ${String(value.labels.outcome)} ${value.value}`)
        .sort();
    expect(await operations(lean)).toEqual(await operations(apollo));
    const results = async (gateway: TestGateway) =>
      ((await gateway.metrics.registry.getSingleMetric('graphql_results_total')?.get())?.values ?? []).map((value) => `${String(value.labels.typename)} ${value.value}`).sort();
    expect(await results(lean)).toEqual(await results(apollo));
  });
});
