/**
 * Identical registered queries in flight together share one execution, end to end: one run
 * answers them all, each request still passes its own admission and is counted on its own, a query
 * that starts after a write never joins a run from before it, and callers of different grants never
 * share a run.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const DOCUMENTS = {
  cache: 'query Cache($name: String!) { serverlessCache(name: $name) { serverlessCacheName status } }',
  list: 'query List { serverlessCacheSnapshots(first: 50) { nodes { serverlessCacheSnapshotName serverlessCache { serverlessCacheName } } } }',
  listTagged: 'query ListTagged { serverlessCacheSnapshots(first: 50) { nodes { serverlessCacheSnapshotName tags { key } } } }',
  listFirst: 'query ListFirst($first: Int) { serverlessCacheSnapshots(first: $first) { nodes { serverlessCacheSnapshotName } } }',
  twoOperations: 'query Named { serverlessCache(name: "demo-valkey") { serverlessCacheName } }\nquery Status { serverlessCache(name: "demo-valkey") { status } }',
  create:
    'mutation Create($n: String!, $c: String!) { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: $n, serverlessCacheName: $c}) { __typename } }',
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function manifestFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'shared-executions-')), 'documents.json');
  writeFileSync(file, JSON.stringify(Object.fromEntries(Object.values(DOCUMENTS).map((text) => [sha256(text), text]))));
  return file;
}

interface Answer {
  status: number;
  contentType: string | null;
  requestId: string | null;
  body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
}

async function send(
  gateway: TestGateway,
  document: keyof typeof DOCUMENTS,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  /** The body's text, for what JSON.stringify cannot write (1e999). */
  body = JSON.stringify({ documentId: `sha256:${sha256(DOCUMENTS[document])}`, variables }),
): Promise<Answer> {
  const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as Answer['body'],
  };
}

/** `promise`, and whether it has settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const done = promise.finally(() => {
    settled = true;
  });
  return { promise: done, settled: () => settled };
}

/** How the counts under `metric` moved while `action` ran. */
async function moved(gateway: TestGateway, metric: string, label: string, action: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await gateway.counts(metric, label);
  await action();
  const after = await gateway.counts(metric, label);
  const change: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) if (value !== (before[key] ?? 0)) change[key] = value - (before[key] ?? 0);
  return change;
}

const sharing = (gateway: TestGateway, action: () => Promise<unknown>) => moved(gateway, 'graphql_query_sharing_total', 'outcome', action);
/** AWS reads joined below (src/elasticache/read-sharing.ts): proof that two requests were in flight together. */
const awsJoins = async (gateway: TestGateway) => (await gateway.counts('elasticache_read_sharing_total', 'outcome')).joined ?? 0;
const awsCalls = async (gateway: TestGateway) => (await gateway.emulator.calls()).DescribeServerlessCaches ?? 0;

describe('identical queries in flight together', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { TRUSTED_DOCUMENTS_FILE: manifestFile(), EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '0' } });
  });
  afterAll(() => gateway.close());

  it('run once: every request gets the answer, and is counted as its own operation', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCaches', delayMs: 300 });
    const callsBefore = await awsCalls(gateway);
    let answers: Answer[] = [];
    const operations = await moved(gateway, 'graphql_operations_total', 'outcome', async () => {
      const shared = await sharing(gateway, async () => {
        answers = await Promise.all(Array.from({ length: 5 }, () => send(gateway, 'cache', { name: 'demo-valkey' })));
      });
      expect(shared).toEqual({ executed: 1, joined: 4 });
    });
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 200, body: { data: { serverlessCache: { serverlessCacheName: 'demo-valkey', status: 'available' } } } });
    }
    expect(operations).toEqual({ success: 5 });
    expect((await awsCalls(gateway)) - callsBefore).toBe(1);
    // Each has its own request id and log line; the joiners' lines name the request that ran it.
    const ids = answers.map((a) => a.requestId);
    expect(new Set(ids).size).toBe(5);
    const lines = gateway.logs.filter((line) => line.msg === 'graphql operation' && ids.includes(line.requestId as string));
    expect(lines).toHaveLength(5);
    const ran = lines.filter((line) => line.sharedRunOf === undefined);
    expect(ran).toHaveLength(1);
    for (const line of lines.filter((l) => l !== ran[0])) expect(line).toMatchObject({ sharedRunOf: ran[0]!.requestId, awsCalls: 0 });
  });

  it('answer each in the response type it asked for', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCaches', delayMs: 300 });
    const joinsBefore = await awsJoins(gateway);
    let answers: Answer[] = [];
    const shared = await sharing(gateway, async () => {
      answers = await Promise.all(
        ['application/json', 'application/graphql-response+json'].map((accept) => send(gateway, 'cache', { name: 'demo-valkey' }, { accept })),
      );
    });
    expect((await awsJoins(gateway)) - joinsBefore).toBe(1);
    expect(answers.map((a) => a.contentType)).toEqual(['application/json; charset=utf-8', 'application/graphql-response+json; charset=utf-8']);
    expect(shared).toEqual({ executed: 2 });
  });

  it('run each operation a document names on its own', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCaches', delayMs: 300 });
    const joinsBefore = await awsJoins(gateway);
    const byName = (operationName: string) =>
      send(gateway, 'twoOperations', {}, {}, JSON.stringify({ documentId: `sha256:${sha256(DOCUMENTS.twoOperations)}`, operationName }));
    const answers = await Promise.all([byName('Named'), byName('Status')]);
    expect((await awsJoins(gateway)) - joinsBefore).toBe(1);
    expect(answers.map((a) => a.body.data)).toEqual([{ serverlessCache: { serverlessCacheName: 'demo-valkey' } }, { serverlessCache: { status: 'available' } }]);
  });

  it('never share variables JSON cannot tell apart: 1e999 is refused even while null runs', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCacheSnapshots', delayMs: 300 });
    const id = `sha256:${sha256(DOCUMENTS.listFirst)}`;
    const withNull = watched(send(gateway, 'listFirst', {}, {}, `{"documentId":"${id}","variables":{"first":null}}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const tooLarge = await send(gateway, 'listFirst', {}, {}, `{"documentId":"${id}","variables":{"first":1e999}}`);
    expect(withNull.settled()).toBe(false);
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect((await withNull.promise).status).toBe(200);
  });

  it('with other variables run apart, each with its own answer', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCaches', delayMs: 300 });
    let answers: Answer[] = [];
    const shared = await sharing(gateway, async () => {
      answers = await Promise.all(['demo-valkey', 'demo-redis'].map((name) => send(gateway, 'cache', { name })));
    });
    expect(shared).toEqual({ executed: 2 });
    expect(answers.map((a) => (a.body.data?.serverlessCache as { serverlessCacheName: string }).serverlessCacheName)).toEqual(['demo-valkey', 'demo-redis']);
  });

  it('keep nothing once the run has ended: the next identical query runs again', async () => {
    const shared = await sharing(gateway, async () => {
      await send(gateway, 'cache', { name: 'demo-valkey' });
      await send(gateway, 'cache', { name: 'demo-valkey' });
    });
    expect(shared).toEqual({ executed: 2 });
  });

  it('never join a run that started before a write: a query sent after a create sees it', async () => {
    const first = await send(gateway, 'create', { n: 'made-before-the-read', c: 'demo-valkey' });
    expect(first.body.data).toEqual({ createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
    // The slow run has its listing (from before the create) and waits on a snapshot's tags, which
    // the create does not read.
    await gateway.emulator.inject({ action: 'ListTagsForResource', delayMs: 600 });
    const names = (answer: Answer) => (answer.body.data?.serverlessCacheSnapshots as { nodes: { serverlessCacheSnapshotName: string }[] }).nodes.map((n) => n.serverlessCacheSnapshotName);
    let slow: Answer | undefined;
    let after: Answer | undefined;
    const shared = await sharing(gateway, async () => {
      const started = watched(send(gateway, 'listTagged'));
      await new Promise((resolve) => setTimeout(resolve, 150));
      const created = await send(gateway, 'create', { n: 'made-during-a-read', c: 'demo-valkey' });
      expect(created.body.data).toEqual({ createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
      // Still running: the query below could join it.
      expect(started.settled()).toBe(false);
      after = await send(gateway, 'listTagged');
      slow = await started.promise;
    });
    expect(names(slow!)).not.toContain('made-during-a-read');
    expect(names(after!)).toContain('made-during-a-read');
    expect(shared).toEqual({ executed: 2 });
  });
});

describe('each request is admitted on its own', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    // The query costs 3 (three fields): the bucket admits three of them a minute.
    gateway = await startTestGateway({ env: { TRUSTED_DOCUMENTS_FILE: manifestFile(), RATE_LIMIT_READ_COST_PER_MINUTE: '10' } });
  });
  afterAll(() => gateway.close());

  it('so a query over its caller\'s rate limit is refused even while an identical one runs', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCaches', delayMs: 300 });
    let answers: Answer[] = [];
    const shared = await sharing(gateway, async () => {
      answers = await Promise.all(Array.from({ length: 6 }, () => send(gateway, 'cache', { name: 'demo-valkey' })));
    });
    const codes = answers.map((a) => (a.status === 200 ? 'ok' : a.body.errors?.[0]?.extensions?.code));
    expect(codes.filter((code) => code === 'ok')).toHaveLength(3);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(3);
    expect(shared).toEqual({ executed: 1, joined: 2 });
  });
});

describe('callers', () => {
  const { file, keys } = writeApiKeys([
    { id: 'admin', scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] },
    { id: 'valkey-team', scopes: ['snapshots:read'], caches: ['demo-valkey'] },
  ]);
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { TRUSTED_DOCUMENTS_FILE: manifestFile(), AUTH_API_KEYS_FILE: file } });
    for (const cache of ['demo-valkey', 'demo-redis']) {
      const created = await send(gateway, 'create', { n: `${cache}-listed`, c: cache }, { 'x-api-key': keys.admin! });
      expect(created.body.data).toEqual({ createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
    }
  });
  afterAll(() => gateway.close());

  const listAs = (key: string) => send(gateway, 'list', {}, { 'x-api-key': keys[key]! });
  const cachesIn = (answer: Answer) =>
    [...new Set((answer.body.data?.serverlessCacheSnapshots as { nodes: { serverlessCache: { serverlessCacheName: string } | null }[] }).nodes.map((n) => n.serverlessCache?.serverlessCacheName))].sort();

  it('of different grants never share a run: each sees only what it may', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCacheSnapshots', delayMs: 300 });
    const joinsBefore = await awsJoins(gateway);
    let answers: Answer[] = [];
    const shared = await sharing(gateway, async () => {
      answers = await Promise.all([listAs('admin'), listAs('valkey-team')]);
    });
    // In flight together: they shared AWS's answer, not the run.
    expect((await awsJoins(gateway)) - joinsBefore).toBe(1);
    expect(shared).toEqual({ executed: 2 });
    expect(cachesIn(answers[0]!)).toEqual(['demo-redis', 'demo-valkey']);
    expect(cachesIn(answers[1]!)).toEqual(['demo-valkey']);
  });

  it('whose grants were narrowed while its query ran does not join that run', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCacheSnapshots', delayMs: 600 });
    const entries = JSON.parse(readFileSync(file, 'utf8')) as { id: string; caches: string[] }[];
    const wide = watched(listAs('admin'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      // The same key, now for one cache only (SIGHUP's reload).
      writeFileSync(file, JSON.stringify(entries.map((entry) => (entry.id === 'admin' ? { ...entry, caches: ['demo-valkey'] } : entry))));
      await gateway.gateway.reloadCredentials();
      expect(wide.settled()).toBe(false);
      const narrow = await listAs('admin');
      expect(cachesIn(narrow)).toEqual(['demo-valkey']);
      expect(cachesIn(await wide.promise)).toEqual(['demo-redis', 'demo-valkey']);
    } finally {
      writeFileSync(file, JSON.stringify(entries));
      await gateway.gateway.reloadCredentials();
    }
  });

  it('the same caller twice shares one', async () => {
    await gateway.emulator.inject({ action: 'DescribeServerlessCacheSnapshots', delayMs: 300 });
    let answers: Answer[] = [];
    const shared = await sharing(gateway, async () => {
      answers = await Promise.all([listAs('valkey-team'), listAs('valkey-team')]);
    });
    expect(shared).toEqual({ executed: 1, joined: 1 });
    for (const answer of answers) expect(cachesIn(answer)).toEqual(['demo-valkey']);
  });
});
