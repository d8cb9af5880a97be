/**
 * What an operator sees of each request: every log line written while serving it carries its
 * request id (the caller's own, when sane), one `graphql operation` line per operation through
 * either door, and the per-operation metrics the README lists. End to end through HTTP and
 * WebSocket to the running gateway.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GraphQLError } from 'graphql';
import WebSocket from 'ws';
import { GatewayError, GatewayErrorCode } from '../../src/errors';
import { createLogger } from '../../src/logger';
import { GatewayMetrics } from '../../src/observability/metrics';
import { OperationObserver } from '../../src/observability/operations';
import { writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { connect, subscribe } from '../support/subscriptions';

const CREATE = `mutation Nightly($input: CreateServerlessCacheSnapshotInput!) {
  createServerlessCacheSnapshot(input: $input) { ... on CreateServerlessCacheSnapshotSuccess { serverlessCacheSnapshot { status } } }
}`;

let gateway: TestGateway;
let counter = 0;
beforeAll(async () => {
  gateway = await startTestGateway({ env: { EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '100', SUBSCRIPTION_POLL_INTERVAL_MS: '50' } });
});
afterAll(async () => gateway.close());

async function post(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { requestId: response.headers.get('x-request-id') ?? '', body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] } };
}

const linesOf = (requestId: string) => gateway.logs.filter((line) => line.requestId === requestId);

describe('request ids', () => {
  it("uses the caller's sane x-request-id, and replaces one that is not", async () => {
    expect((await post('{ __typename }', {}, { 'x-request-id': 'checkout-7f3a.42' })).requestId).toBe('checkout-7f3a.42');
    for (const insane of ['has space', 'x'.repeat(129), 'line\\nbreak', '']) {
      const { requestId } = await post('{ __typename }', {}, { 'x-request-id': insane });
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('puts the request id on the AWS failure line, the audit line and the operation line', async () => {
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', code: 'AccessDenied', status: 403 });
    const { requestId, body } = await post(CREATE, { input: { serverlessCacheSnapshotName: `obs-${++counter}`, serverlessCacheName: 'demo-valkey' } });
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ACCESS_DENIED');
    const messages = linesOf(requestId).map((line) => line.msg);
    expect(messages).toEqual(expect.arrayContaining(['ElastiCache call failed', 'mutation', 'graphql operation']));
  });
});

it('logs, once, an AWS call that needed retries: its attempts and the errors retried', async () => {
  await gateway.emulator.inject({ action: 'DescribeServerlessCaches', code: 'Throttling', status: 400 });
  const { requestId } = await post('{ serverlessCaches { nodes { serverlessCacheName } } }');
  const retried = linesOf(requestId).filter((line) => line.msg === 'AWS call succeeded after retries');
  expect(retried).toEqual([expect.objectContaining({ operation: 'DescribeServerlessCaches', attempts: 2, retried: ['Throttling'] })]);
  const text = await (await fetch(`${gateway.gateway.metricsUrl}/metrics`)).text();
  expect(text).toMatch(/elasticache_upstream_call_attempts_bucket\{le="2",operation="DescribeServerlessCaches"\} [1-9]/);
});

describe('one line per operation', () => {
  it('names the operation, its type, duration, outcome, results and AWS calls, and never the variables', async () => {
    const name = `obs-secret-${++counter}`;
    const { requestId } = await post(CREATE, { input: { serverlessCacheSnapshotName: name, serverlessCacheName: 'demo-valkey' } });
    const [line] = linesOf(requestId).filter((l) => l.msg === 'graphql operation');
    expect(line).toMatchObject({
      level: 30,
      operation: { name: 'Nightly', type: 'mutation', transport: 'http' },
      outcome: 'success',
      results: [{ field: 'createServerlessCacheSnapshot', typename: 'CreateServerlessCacheSnapshotSuccess' }],
      awsCalls: 1,
      ms: expect.any(Number),
    });
    expect(JSON.stringify(line)).not.toContain(name);
  });

  it('through the WebSocket too, once the subscription ends', async () => {
    const name = `obs-${++counter}`;
    await post(CREATE, { input: { serverlessCacheSnapshotName: name, serverlessCacheName: 'demo-valkey' } });
    const client = connect(gateway.url);
    try {
      const watched = subscribe(client, 'subscription Follow($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { status } }', { name });
      await watched.done;
    } finally {
      await client.dispose();
    }
    const line = gateway.logs.find((l) => l.msg === 'graphql operation' && (l.operation as { name?: string }).name === 'Follow');
    expect(line).toMatchObject({ operation: { type: 'subscription', transport: 'websocket' }, outcome: 'success', requestId: expect.any(String) });
  });
});

describe('the WebSocket door', () => {
  /** A raw graphql-ws conversation, so a test can reuse an operation id as a client may. */
  async function rawSocket() {
    const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: { type: string; id?: string }[] = [];
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as { type: string; id?: string }));
    await new Promise((ready) => socket.once('open', ready));
    const send = (message: object) => socket.send(JSON.stringify(message));
    const seen = async (predicate: (m: { type: string; id?: string }) => boolean) => {
      for (let i = 0; i < 200 && !messages.some(predicate); i++) await new Promise((r) => setTimeout(r, 10));
      expect(messages.some(predicate)).toBe(true);
    };
    send({ type: 'connection_init' });
    await seen((m) => m.type === 'connection_ack');
    return { socket, send, seen, messages };
  }

  const gauge = async () => Number(/^graphql_active_subscriptions (\d+)/m.exec(await (await fetch(`${gateway.gateway.metricsUrl}/metrics`)).text())?.[1]);

  it('an operation id used again after its operation ended is a new operation: the gauge comes back to 0', async () => {
    const name = `obs-${++counter}`;
    await post(CREATE, { input: { serverlessCacheSnapshotName: name, serverlessCacheName: 'demo-valkey' } });
    const { socket, send, seen } = await rawSocket();
    const watch = { query: 'subscription Reused($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { status } }', variables: { name } };
    send({ id: 'c', type: 'subscribe', payload: watch });
    await seen((m) => m.type === 'next' && m.id === 'c');
    send({ id: 'c', type: 'complete' });
    send({ id: 'c', type: 'subscribe', payload: watch });
    await new Promise((r) => setTimeout(r, 50));
    send({ id: 'c', type: 'complete' });
    socket.close();
    for (let i = 0; i < 100 && (await gauge()) !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await gauge()).toBe(0);
    expect(gateway.logs.filter((l) => l.msg === 'graphql operation' && (l.operation as { name?: string }).name === 'Reused')).toHaveLength(2);
  });

  it('an operation refused before it runs still gets its line and its error count', async () => {
    const { socket, send, seen } = await rawSocket();
    send({ id: 'bad', type: 'subscribe', payload: { query: 'subscription { nope' } });
    await seen((m) => m.type === 'error' && m.id === 'bad');
    socket.close();
    const line = gateway.logs.find((l) => l.msg === 'graphql operation' && (l.errorCodes as string[] | undefined)?.includes('GRAPHQL_PARSE_FAILED'));
    expect(line).toMatchObject({ operation: { transport: 'websocket' }, outcome: 'error', requestId: expect.any(String) });
  });
});

describe('metrics', () => {
  it('exports every metric the README lists', async () => {
    const readme = readFileSync(resolve(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Logs and metrics'), readme.indexOf('## Traces'));
    const listed = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThanOrEqual(12);
    const text = await (await fetch(`${gateway.gateway.metricsUrl}/metrics`)).text();
    expect(listed.filter((name) => !text.includes(`# TYPE ${name} `))).toEqual([]);
  });

  it('exports every per-operation metric the README lists, with its labels', async () => {
    await post(CREATE, { input: { serverlessCacheSnapshotName: `obs-${++counter}`, serverlessCacheName: 'no-such-cache' } });
    await post('query Broken { serverlessCacheSnapshots(first: 0) { nodes { arn } } }');
    const text = await (await fetch(`${gateway.gateway.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/graphql_operations_total\{operation_name="Nightly",operation_type="mutation",outcome="success"\} [1-9]/);
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation_name="Nightly",operation_type="mutation"\} [1-9]/);
    expect(text).toMatch(/graphql_results_total\{field="createServerlessCacheSnapshot",typename="ServerlessCacheNotFoundFault"\} [1-9]/);
    expect(text).toMatch(/graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(text).toMatch(/elasticache_upstream_calls_total\{operation="CreateServerlessCacheSnapshot",outcome="fault"\} [1-9]/);
    expect(text).toMatch(/elasticache_upstream_call_duration_seconds_bucket\{le="[^"]+",operation="CreateServerlessCacheSnapshot"\}/);
  });

  it('counts subscriptions, watched snapshots and polls, authentication refusals and idempotent replays', async () => {
    const name = `obs-${++counter}`;
    const input = { serverlessCacheSnapshotName: name, serverlessCacheName: 'demo-valkey', idempotencyKey: `obs-key-${counter}` };
    await post(CREATE, { input });
    await post(CREATE, { input });
    const client = connect(gateway.url);
    try {
      const watched = subscribe(client, 'subscription ($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { status } }', { name });
      await watched.received(1);
      const during = await (await fetch(`${gateway.gateway.metricsUrl}/metrics`)).text();
      expect(during).toMatch(/^graphql_active_subscriptions [1-9]/m);
      expect(during).toMatch(/^snapshot_status_watched [1-9]/m);
      await watched.done;
    } finally {
      await client.dispose();
    }
    const after = await (await fetch(`${gateway.gateway.metricsUrl}/metrics`)).text();
    expect(after).toMatch(/^graphql_active_subscriptions 0/m);
    expect(after).toMatch(/^snapshot_status_polls_total [1-9]/m);
    expect(after).toMatch(/graphql_idempotent_replays_total\{mutation="createServerlessCacheSnapshot"\} [1-9]/);
  });

  it('counts authentication refusals, by failure and door', async () => {
    const { file } = writeApiKeys([{ id: 'svc', scopes: ['snapshots:read'], caches: ['*'] }]);
    const guarded = await startTestGateway({ env: { AUTH_API_KEYS_FILE: file } });
    try {
      expect((await guarded.graphql('{ __typename }', undefined, { 'x-api-key': 'not-a-key' })).status).toBe(401);
      const text = await (await fetch(`${guarded.gateway.metricsUrl}/metrics`)).text();
      expect(text).toMatch(/gateway_authentication_refusals_total\{failure="\w+",transport="http"\} 1/);
    } finally {
      await guarded.close();
    }
  });

  it('keeps the operation-name label bounded: past 100 names, the rest are `other`', () => {
    const metrics = new GatewayMetrics();
    const record = (name: string) => metrics.recordOperation({ name, type: 'query', outcome: 'success', seconds: 0.001, results: [], errorCodes: [] });
    for (let i = 0; i < 150; i++) record(`Op${i}`);
    return metrics.registry.getSingleMetricAsString('graphql_operations_total').then((text) => {
      expect(text).toContain('operation_name="Op99"');
      expect(text).not.toContain('operation_name="Op100"');
      expect(text).toMatch(/operation_name="other",operation_type="query",outcome="success"\} 50/);
    });
  });
});

it('logs what the mask hides with the request logger, and nothing for errors written for clients', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }).child({ requestId: 'r-1' });
  const observer = new OperationObserver(new GatewayMetrics());
  const hidden = new GraphQLError('boom', { path: ['field'], originalError: new TypeError('x is undefined') });
  const meant = new GraphQLError('throttled', { path: ['other'], originalError: new GatewayError(GatewayErrorCode.UPSTREAM_THROTTLED) });
  observer.logUnexpected(logger, [hidden, meant]);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ requestId: 'r-1', msg: 'unexpected error masked from the client', path: ['field'] });
});
