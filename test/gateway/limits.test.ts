/**
 * What one caller may cost the gateway, end to end over HTTP and WebSocket: document limits
 * (depth, aliases, directives, cost) refused as validation failures before any AWS call; token
 * buckets per principal for mutations and read cost, refused whole with 429 and Retry-After;
 * the anonymous principal counted per client address (X-Forwarded-For only from trusted proxies);
 * subscription limits per socket and sockets per principal; WebSocket message size and
 * connection_init deadline; non-UTF-8 bodies refused; /metrics only on its own listener.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { DevIssuer } from '../../src/dev-issuer/issuer';
import { AUDIENCE, startIssuer, writeApiKeys } from '../support/auth';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway';
import { subscribe, type Subscription } from '../support/subscriptions';

type ErrorShape = { message: string; extensions?: Record<string, unknown> };

async function awsCalls(gateway: TestGateway): Promise<number> {
  return Object.values(await gateway.emulator.calls()).reduce((a, b) => a + b, 0);
}

const wsUrl = (gateway: TestGateway) => `${gateway.url.replace(/^http/, 'ws')}/graphql`;

/** The errors an operation was refused with over WebSocket; throws when it was not refused. */
async function refusal(operation: Subscription<unknown>): Promise<unknown> {
  try {
    await operation.done;
  } catch (error) {
    return JSON.parse((error as Error).message);
  }
  throw new Error(`the operation was not refused: ${JSON.stringify(operation.events)}`);
}

const clients: Client[] = [];
afterAll(async () => {
  for (const client of clients) await client.dispose();
});

/**
 * A graphql-ws client that connects at once and keeps its socket with no operation running (a
 * lazy one would reconnect unseen), counting its connections and recording its close codes, so a
 * test can tell the same socket served every operation.
 */
function socketClient(gateway: TestGateway, connectionParams?: Record<string, unknown>) {
  let connections = 0;
  const closeCodes: number[] = [];
  const client = createClient({
    url: wsUrl(gateway),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    ...(connectionParams === undefined ? {} : { connectionParams }),
    on: {
      connected: () => void (connections += 1),
      closed: (event) => void closeCodes.push((event as { code: number }).code),
    },
  });
  clients.push(client);
  return { client, connections: () => connections, closeCodes };
}

interface RawMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/**
 * A bare graphql-transport-ws socket, for what a well-behaved client library would never send:
 * `init` is connection_init's payload, or null to send none.
 */
function rawSocket(gateway: TestGateway, init: Record<string, unknown> | null) {
  const socket = new WebSocket(wsUrl(gateway), 'graphql-transport-ws');
  const messages: RawMessage[] = [];
  const waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  socket.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString('utf8')) as RawMessage);
    for (const waiter of waiters.filter((w) => w.predicate())) waiter.resolve();
  });
  const until = (predicate: () => boolean) => (predicate() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ predicate, resolve })));
  const send = (message: unknown) => socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  if (init !== null) void opened.then(() => send({ type: 'connection_init', payload: init }));
  /** 'ack', or the close code when the socket was closed before connection_ack. */
  const outcome: Promise<'ack' | number> = Promise.race([until(() => messages.some((m) => m.type === 'connection_ack')).then(() => 'ack' as const), closed]);
  return { socket, messages, opened, closed, outcome, send, until };
}

/** A POST from the given local address (loopback has all of 127/8), with headers as given. */
function postFrom(
  url: string,
  localAddress: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; retryAfter: string | undefined; body: GraphQLResponse['body'] }> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: hostname, port, path: '/graphql', method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLResponse['body'],
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const WATCH = 'subscription($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { serverlessCacheSnapshotName status } }';
type Watched = { serverlessCacheSnapshotStatusChanged: { serverlessCacheSnapshotName: string; status: string } };
const statusOf = (watch: Subscription<Watched>) => watch.events.at(-1)?.data?.serverlessCacheSnapshotStatusChanged.status;

const validationFailure = (message: RegExp) => [{ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) }];

describe('document limits', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    // GRAPHQL_MAX_COST is left at its default: the README's example is documented against it.
    gateway = await startTestGateway({ env: { GRAPHQL_MAX_DEPTH: '5', GRAPHQL_MAX_ALIASES: '3', GRAPHQL_MAX_DIRECTIVES: '3' } });
  });
  afterAll(() => gateway.close());

  /** Asserts a 400 GRAPHQL_VALIDATION_FAILED answer whose message matches, and that AWS was never asked. */
  async function expectRefused(query: string, message: RegExp, variables?: Record<string, unknown>) {
    const before = await awsCalls(gateway);
    const { status, body } = await gateway.graphql(query, variables);
    expect(body).toEqual({ errors: validationFailure(message) });
    expect(status).toBe(400);
    expect(await awsCalls(gateway)).toBe(before);
  }

  async function expectServed(query: string, variables?: Record<string, unknown>) {
    const { status, body } = await gateway.graphql(query, variables);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data;
  }

  describe('depth', () => {
    const AT_LIMIT = '{ serverlessCaches(first: 1) { nodes { snapshots(first: 1) { nodes { status } } } } }';

    it('serves a document exactly GRAPHQL_MAX_DEPTH deep', async () => {
      await expectServed(AT_LIMIT);
    });

    it('refuses a deeper one with 400 GRAPHQL_VALIDATION_FAILED naming the limit and the depth, fragments or not, before any AWS call', async () => {
      await expectRefused('{ serverlessCaches(first: 1) { nodes { snapshots(first: 1) { nodes { serverlessCacheConfiguration { engine } } } } } }', /depth limit of 5 exceeded, found 6/);
      await expectRefused(
        `{ serverlessCaches(first: 1) { ...Page } }
        fragment Page on ServerlessCacheConnection { nodes { snapshots(first: 1) { nodes { ...Config } } } }
        fragment Config on ServerlessCacheSnapshot { serverlessCacheConfiguration { engine } }`,
        /depth limit of 5 exceeded, found 6/,
      );
    });
  });

  describe('aliases', () => {
    const aliased = (count: number) => Array.from({ length: count }, (_, i) => `c${i}: serverlessCache(name: "demo-valkey") { arn }`).join(' ');

    it('serves GRAPHQL_MAX_ALIASES aliases, and any number of aliased __typename besides', async () => {
      const typenames = Array.from({ length: 20 }, (_, i) => `t${i}: __typename`).join(' ');
      const data = await expectServed(`{ ${aliased(3)} ${typenames} }`);
      expect(Object.keys(data ?? {})).toHaveLength(23);
    });

    it('refuses one alias more with 400 GRAPHQL_VALIDATION_FAILED, before any AWS call', async () => {
      await expectRefused(`{ ${aliased(4)} }`, /aliases limit of 3 exceeded, found 4/i);
    });
  });

  describe('directives', () => {
    // On distinct fields without aliases, so only the directive limit is in play.
    const FIELDS = ['arn', 'serverlessCacheName', 'status', 'engine', 'description'];
    const directed = (count: number) => `{ serverlessCache(name: "demo-valkey") { ${FIELDS.slice(0, count).map((f) => `${f} @include(if: true)`).join(' ')} } }`;

    it('serves GRAPHQL_MAX_DIRECTIVES directives', async () => {
      await expectServed(directed(3));
    });

    it('refuses one directive more with 400 GRAPHQL_VALIDATION_FAILED, before any AWS call', async () => {
      await expectRefused(directed(4), /directives limit of 3 exceeded, found 4/i);
    });
  });

  describe('cost', () => {
    const NESTED = 'query($n: Int) { serverlessCaches(first: $n) { nodes { snapshots(first: $n) { nodes { status } } } } }';

    it('refuses nested lists that fan out past GRAPHQL_MAX_COST with 400, naming the limit and the cost, before any AWS call', async () => {
      expect(gateway.config.graphql.maxCost).toBe(2000);
      await expectRefused('{ serverlessCaches(first: 50) { nodes { snapshots(first: 50) { nodes { status } } } } }', /cost limit of 2000 exceeded, found 5101\b/);
    });

    it("serves the README's example query under the default limit", async () => {
      const data = await expectServed(
        '{ serverlessCaches { nodes { serverlessCacheName engine status snapshots(first: 5) { nodes { serverlessCacheSnapshotName status } pageInfo { hasNextPage endCursor } } } } }',
      );
      expect(data).toEqual({ serverlessCaches: { nodes: expect.arrayContaining([expect.objectContaining({ serverlessCacheName: 'demo-valkey' })]) } });
    });

    it('prices a first given as a variable', async () => {
      await expectRefused(NESTED, /cost limit of 2000 exceeded, found 5101\b/, { n: 50 });
      await expectServed(NESTED, { n: 1 });
    });

    // Execution applies a variable's default when the request leaves it out: priced by the
    // variables sent alone, `$n: Int = 50` would pass as pages of 20 (841) and run as 5,101.
    it("prices a first from a variable's default value as what runs", async () => {
      await expectRefused(NESTED.replace('$n: Int', '$n: Int = 50'), /cost limit of 2000 exceeded/, {});
    });
  });

  describe('over WebSocket', () => {
    it('refuses a too deep subscription with GRAPHQL_VALIDATION_FAILED and keeps the socket', async () => {
      const { client, connections, closeCodes } = socketClient(gateway);
      const before = await awsCalls(gateway);
      const deep = 'subscription { serverlessCacheSnapshotStatusChanged(name: "x") { serverlessCache { snapshots(first: 1) { nodes { serverlessCacheConfiguration { engine } } } } } }';
      expect(await refusal(subscribe(client, deep, {}))).toEqual(validationFailure(/depth limit of 5 exceeded, found 6/));
      expect(await awsCalls(gateway)).toBe(before);
      const after = subscribe<{ serverlessCache: { serverlessCacheName: string } }>(client, '{ serverlessCache(name: "demo-valkey") { serverlessCacheName } }', {});
      await after.done;
      expect(after.events[0]?.data?.serverlessCache.serverlessCacheName).toBe('demo-valkey');
      expect(connections()).toBe(1);
      expect(closeCodes).toEqual([]);
    });
  });

  describe('charset', () => {
    const QUERY = JSON.stringify({ query: '{ serverlessCache(name: "demo-valkey") { serverlessCacheName } }' });
    const post = (contentType: string) => fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body: QUERY });

    it('answers 415 to a body declared in another charset than UTF-8, before any AWS call', async () => {
      const before = await awsCalls(gateway);
      for (const charset of ['utf-16', 'latin1', 'ISO-8859-1']) {
        const response = await post(`application/json; charset=${charset}`);
        expect(response.status).toBe(415);
        expect(((await response.json()) as GraphQLResponse['body']).data).toBeUndefined();
      }
      expect(await awsCalls(gateway)).toBe(before);
    });

    it('serves UTF-8 however it is spelt, and a body that declares no charset', async () => {
      for (const contentType of ['application/json; charset=utf-8', 'application/json; charset=UTF8', 'application/json; charset="utf-8"', 'application/json']) {
        const response = await post(contentType);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ data: { serverlessCache: { serverlessCacheName: 'demo-valkey' } } });
      }
    });
  });

  describe('metrics', () => {
    it('serves /metrics on its own loopback listener, not on the public port', async () => {
      const metricsUrl = gateway.gateway.metricsUrl;
      expect(metricsUrl).toBeDefined();
      expect(new URL(metricsUrl!).hostname).toBe('127.0.0.1');
      expect(new URL(metricsUrl!).port).not.toBe(new URL(gateway.url).port);
      const metrics = await fetch(`${metricsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^# HELP /m);
      expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    });
  });
});

describe('with GRAPHQL_EXPOSE_LIMITS=false and METRICS_PORT=off', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { GRAPHQL_EXPOSE_LIMITS: 'false', GRAPHQL_MAX_DEPTH: '5', GRAPHQL_MAX_COST: '100', METRICS_PORT: 'off' } });
  });
  afterAll(() => gateway.close());

  it('refuses a costly document without telling the limit or the cost', async () => {
    const before = await awsCalls(gateway);
    const { status, body } = await gateway.graphql('{ serverlessCaches(first: 50) { nodes { serverlessCacheName } } }');
    expect(status).toBe(400);
    expect(body).toEqual({ errors: validationFailure(/./) });
    expect(body.errors?.[0]?.message).not.toMatch(/\d/);
    expect(await awsCalls(gateway)).toBe(before);
  });

  // Refused with 500 for the reason given under 'document limits' (src/graphql-document.ts).
  it('refuses a deep document without telling the limit or the depth', async () => {
    const { status, body } = await gateway.graphql('{ serverlessCaches(first: 1) { nodes { snapshots(first: 1) { nodes { serverlessCacheConfiguration { engine } } } } } }');
    expect(body).toEqual({ errors: validationFailure(/./) });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).not.toMatch(/\d/);
  });

  it('has no metrics listener, and no /metrics on the public port', async () => {
    expect(gateway.gateway.metricsUrl).toBeUndefined();
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
  });
});

describe('per principal', () => {
  const PRINCIPALS = ['setup', 'writer-a', 'writer-b', 'writer-c', 'mut-reader', 'churn', 'observer', 'reader-a', 'reader-b', 'ws-cost', 'ws-rate', 'subs', 'burst', 'sockets-a', 'sockets-b', 'big'];
  const { file, keys } = writeApiKeys(PRINCIPALS.map((id) => ({ id, scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] })));
  const key = (id: string) => ({ 'x-api-key': keys[id]! });

  let gateway: TestGateway;
  let idle: ReturnType<typeof rawSocket>;
  let idleSince: number;
  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        AUTH_API_KEYS_FILE: file,
        GRAPHQL_MAX_COST: '100',
        RATE_LIMIT_MUTATIONS_PER_MINUTE: '3',
        RATE_LIMIT_READ_COST_PER_MINUTE: '60',
        SUBSCRIPTION_MAX_PER_CONNECTION: '2',
        SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL: '2',
        // Snapshots stay `creating`, so their subscriptions keep running; and no poll ticks during
        // the tests, so every AWS call counted is one an operation made.
        EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '600000',
        SUBSCRIPTION_POLL_INTERVAL_MS: '600000',
        SUBSCRIPTION_POLL_MAX_INTERVAL_MS: '600000',
      },
    });
    // Opened first so that its 5 s wait for connection_init runs alongside the other tests.
    idle = rawSocket(gateway, null);
    await idle.opened;
    idleSince = Date.now();
    const { body } = await gateway.graphql<Record<string, { __typename: string }>>(
      `mutation {
        a: createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "watched-1", serverlessCacheName: "demo-valkey"}) { __typename }
        b: createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "watched-2", serverlessCacheName: "demo-valkey"}) { __typename }
      }`,
      undefined,
      key('setup'),
    );
    expect(body.data).toEqual({ a: { __typename: 'CreateServerlessCacheSnapshotSuccess' }, b: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
  });
  afterAll(async () => {
    idle.socket.terminate();
    await gateway.close();
  });

  const as = <T = Record<string, unknown>>(id: string, query: string, variables?: Record<string, unknown>) => gateway.graphql<T>(query, variables, key(id));

  /** Asserts the whole 429 answer; returns Retry-After in seconds. */
  function retryAfterOf(response: GraphQLResponse): number {
    expect(response.status).toBe(429);
    const header = response.headers.get('retry-after');
    expect(header).toMatch(/^[1-9]\d*$/);
    const seconds = Number(header);
    expect(response.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: seconds } }] });
    return seconds;
  }

  const creates = (names: string[]) =>
    `mutation { ${names
      .map((name, i) => `c${i}: createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "${name}", serverlessCacheName: "demo-redis"}) { __typename }`)
      .join(' ')} }`;
  // Cost 21: 10 caches × 2, plus the list.
  const READ = '{ serverlessCaches(first: 10) { nodes { serverlessCacheName } } }';
  const CHEAP_READ = '{ serverlessCache(name: "demo-valkey") { serverlessCacheName } }';

  describe('mutation rate limit', () => {
    it('refuses a document of more aliased mutations than the bucket still holds, whole, with 429 and Retry-After, before any AWS call', async () => {
      expect((await as('writer-a', creates(['rl-a-0', 'rl-a-1']))).body.errors).toBeUndefined();
      const names = ['rl-a-2', 'rl-a-3'];
      const before = await awsCalls(gateway);
      retryAfterOf(await as('writer-a', creates(names)));
      expect(await awsCalls(gateway)).toBe(before);

      const lookups = names.map((name, i) => `s${i}: serverlessCacheSnapshot(name: "${name}") { serverlessCacheSnapshotName }`).join(' ');
      expect((await as('observer', `{ ${lookups} }`)).body).toEqual({ data: { s0: null, s1: null } });
    });

    it('took nothing for the refused document: the token left still pays for one, then one more is refused until a token is back', async () => {
      const allowed = await as('writer-a', creates(['rl-a-4']));
      expect(allowed.body.data).toEqual({ c0: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });

      const before = await awsCalls(gateway);
      const seconds = retryAfterOf(await as('writer-a', creates(['rl-a-5'])));
      expect(await awsCalls(gateway)).toBe(before);
      // Three a minute: the next token is about 20 s away.
      expect(seconds).toBeGreaterThan(10);
      expect(seconds).toBeLessThanOrEqual(20);
    });

    it('refuses a document larger than the whole bucket as not retryable, without Retry-After', async () => {
      const before = await awsCalls(gateway);
      const response = await as('writer-c', creates(['rl-c-0', 'rl-c-1', 'rl-c-2', 'rl-c-3']));
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(response.body).toEqual({ errors: [{ message: expect.stringMatching(/Split it/), extensions: { code: 'RATE_LIMITED', retryable: false } }] });
      expect(await awsCalls(gateway)).toBe(before);
      // It took nothing either: the whole bucket is still there.
      expect((await as('writer-c', creates(['rl-c-4', 'rl-c-5', 'rl-c-6']))).body.errors).toBeUndefined();
    });

    it("never counts one principal's mutations against another", async () => {
      const other = await as('writer-b', creates(['rl-b-0', 'rl-b-1', 'rl-b-2']));
      expect(other.status).toBe(200);
      expect(other.body.errors).toBeUndefined();
    });
  });

  describe('read cost rate limit', () => {
    it('charges reads their cost, and refuses one the bucket cannot pay with 429, before any AWS call', async () => {
      expect((await as('reader-a', READ)).status).toBe(200);
      expect((await as('reader-a', READ)).status).toBe(200);
      const before = await awsCalls(gateway);
      const seconds = retryAfterOf(await as('reader-a', READ));
      expect(await awsCalls(gateway)).toBe(before);
      // 18 of 60 points left, 3 missing at one a second.
      expect(seconds).toBeLessThanOrEqual(3);
      // The refused read took nothing: a cheap one still fits.
      expect((await as('reader-a', CHEAP_READ)).status).toBe(200);
    });

    it("never counts one principal's reads against another", async () => {
      for (let i = 0; i < 2; i++) expect((await as('reader-b', READ)).status).toBe(200);
    });

    it('charges a mutation document what its result reads, too, and takes from neither bucket when one falls short', async () => {
      for (let i = 0; i < 2; i++) expect((await as('mut-reader', READ)).status).toBe(200);
      // 18 read points left; this one mutation reads a page of ten snapshots back (cost 24).
      const dear = `mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "rl-m-0", serverlessCacheName: "demo-redis"}) {
        ... on CreateServerlessCacheSnapshotSuccess { serverlessCacheSnapshot { serverlessCache { snapshots(first: 10) { nodes { status } } } } } } }`;
      const before = await awsCalls(gateway);
      retryAfterOf(await as('mut-reader', dear));
      expect(await awsCalls(gateway)).toBe(before);
      // Its mutation token was not spent either: three cheap mutations still pass.
      const cheap = await as('mut-reader', creates(['rl-m-1', 'rl-m-2', 'rl-m-3']));
      expect(cheap.body.errors).toBeUndefined();
    });
  });

  describe('over WebSocket', () => {
    /** The same socket (one connection, never closed) still runs a subscription after the refusal. */
    async function expectSocketStillServes(client: Client, connections: () => number, closeCodes: number[]) {
      const watch = subscribe<Watched>(client, WATCH, { name: 'watched-1' });
      await watch.received(1);
      expect(statusOf(watch)).toBe('creating');
      watch.unsubscribe();
      expect(connections()).toBe(1);
      expect(closeCodes).toEqual([]);
    }

    it('refuses a subscription over GRAPHQL_MAX_COST with GRAPHQL_VALIDATION_FAILED, before any AWS call, and keeps the socket', async () => {
      const { client, connections, closeCodes } = socketClient(gateway, key('ws-cost'));
      const costly = 'subscription { serverlessCacheSnapshotStatusChanged(name: "watched-1") { serverlessCache { snapshots(first: 50) { nodes { serverlessCacheSnapshotName status } } } } }';
      const before = await awsCalls(gateway);
      expect(await refusal(subscribe(client, costly, {}))).toEqual(validationFailure(/cost limit of 100 exceeded, found 163\b/));
      expect(await awsCalls(gateway)).toBe(before);
      await expectSocketStillServes(client, connections, closeCodes);
    });

    it('refuses a subscription over the read bucket with RATE_LIMITED, before any AWS call, and keeps the socket', async () => {
      // 42 of 60 points spent over HTTP: the bucket is the principal's, whatever the door.
      for (let i = 0; i < 2; i++) expect((await as('ws-rate', READ)).status).toBe(200);
      const { client, connections, closeCodes } = socketClient(gateway, key('ws-rate'));
      // Cost 33 (23 for its fields, 10 to start a poll): under GRAPHQL_MAX_COST, over the 18 points left.
      const dear = 'subscription { serverlessCacheSnapshotStatusChanged(name: "watched-1") { serverlessCache { snapshots(first: 10) { nodes { status } } } } }';
      const before = await awsCalls(gateway);
      expect(await refusal(subscribe(client, dear, {}))).toEqual([
        { message: expect.any(String), extensions: { code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: expect.any(Number) } },
      ]);
      expect(await awsCalls(gateway)).toBe(before);
      await expectSocketStillServes(client, connections, closeCodes);
    });
  });

  describe('subscription churn', () => {
    it('charges each subscription start, so subscribing to names over and over runs out of budget, not AWS', async () => {
      const { client } = socketClient(gateway, key('churn'));
      const before = (await gateway.emulator.calls()).DescribeServerlessCacheSnapshots ?? 0;
      // 60 points a minute, 13 a start (3 for its fields, 10 for the poll): four starts, then refusals.
      const codes: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        const errors = (await refusal(subscribe(client, WATCH, { name: `churn-missing-${i}` }))) as ErrorShape[];
        codes.push(errors[0]?.extensions?.code);
      }
      expect(codes).toEqual([...Array(4).fill('BAD_USER_INPUT'), ...Array(4).fill('RATE_LIMITED')]);
      expect(((await gateway.emulator.calls()).DescribeServerlessCacheSnapshots ?? 0) - before).toBe(4);
    });
  });

  describe('subscriptions per connection', () => {
    it('refuses one operation over SUBSCRIPTION_MAX_PER_CONNECTION with SUBSCRIPTION_LIMIT_EXCEEDED, and serves a new one once another completes', async () => {
      const { client, connections, closeCodes } = socketClient(gateway, key('subs'));
      const first = subscribe<Watched>(client, WATCH, { name: 'watched-1' });
      const second = subscribe<Watched>(client, WATCH, { name: 'watched-2' });
      await Promise.all([first.received(1), second.received(1)]);

      const before = await awsCalls(gateway);
      expect(await refusal(subscribe(client, WATCH, { name: 'watched-1' }))).toEqual([
        { message: expect.any(String), extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' } },
      ]);
      expect(await awsCalls(gateway)).toBe(before);
      expect(statusOf(first)).toBe('creating');
      expect(statusOf(second)).toBe('creating');

      first.unsubscribe();
      const third = subscribe<Watched>(client, WATCH, { name: 'watched-1' });
      await third.received(1);
      expect(statusOf(third)).toBe('creating');
      expect(connections()).toBe(1);
      expect(closeCodes).toEqual([]);
      second.unsubscribe();
      third.unsubscribe();
    });

    it('runs at most the limit of 1,000 subscribe messages on one socket, and keeps the socket open', async () => {
      const raw = rawSocket(gateway, key('burst'));
      expect(await raw.outcome).toBe('ack');
      const describesBefore = (await gateway.emulator.calls()).DescribeServerlessCacheSnapshots ?? 0;

      // After the two that keep running, each a name of its own: unbounded, each would cost a poll
      // and an AWS call.
      for (let i = 0; i < 1000; i++) {
        const name = i < 2 ? `watched-${i + 1}` : `burst-missing-${i}`;
        raw.send({ id: String(i), type: 'subscribe', payload: { query: WATCH, variables: { name } } });
      }
      const errors = () => raw.messages.filter((m) => m.type === 'error');
      await raw.until(() => errors().length === 998 && raw.messages.filter((m) => m.type === 'next').length === 2);

      expect(new Set(errors().map((m) => (m.payload as ErrorShape[])[0]?.extensions?.code))).toEqual(new Set(['SUBSCRIPTION_LIMIT_EXCEEDED']));
      const describes = ((await gateway.emulator.calls()).DescribeServerlessCacheSnapshots ?? 0) - describesBefore;
      // The two running subscriptions' first polls, each retried at most AWS_MAX_ATTEMPTS times when a
      // loaded machine makes an attempt time out; the 998 refused ones cost nothing.
      expect(describes).toBeLessThanOrEqual(2 * gateway.config.upstream.maxAttempts);
      expect(raw.socket.readyState).toBe(WebSocket.OPEN);
      raw.send({ type: 'ping' });
      await raw.until(() => raw.messages.some((m) => m.type === 'pong'));
      raw.socket.close();
    });
  });

  describe('connections per principal', () => {
    it('closes a socket over SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL with 4429, counts each principal apart, and frees a place when a socket closes', async () => {
      const first = rawSocket(gateway, key('sockets-a'));
      const second = rawSocket(gateway, key('sockets-a'));
      expect(await first.outcome).toBe('ack');
      expect(await second.outcome).toBe('ack');
      const third = rawSocket(gateway, key('sockets-a'));
      expect(await third.outcome).toBe(4429);
      const other = rawSocket(gateway, key('sockets-b'));
      expect(await other.outcome).toBe('ack');

      first.socket.close();
      await first.closed;
      // The server counts the socket out when its side of the close is done, just after the client's.
      let again = rawSocket(gateway, key('sockets-a'));
      for (let attempt = 0; attempt < 20 && (await again.outcome) !== 'ack'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        again = rawSocket(gateway, key('sockets-a'));
      }
      expect(await again.outcome).toBe('ack');
      for (const s of [second, other, again]) s.socket.close();
    });
  });

  describe('WebSocket messages', () => {
    it('closes a socket that sends a message over 64 KiB with 1009, after serving one just under', async () => {
      // graphql-ws reports the oversized message on the console as an internal error: noise here.
      const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const raw = rawSocket(gateway, key('big'));
        expect(await raw.outcome).toBe('ack');
        raw.send({ type: 'ping', payload: { pad: 'x'.repeat(60_000) } });
        await raw.until(() => raw.messages.some((m) => m.type === 'pong'));
        raw.send({ type: 'ping', payload: { pad: 'x'.repeat(70_000) } });
        expect(await raw.closed).toBe(1009);
      } finally {
        quiet.mockRestore();
      }
    });

    it('closes a socket that sends no connection_init within 5 s with 4408', async () => {
      expect(await idle.closed).toBe(4408);
      // Not sooner than the wait it is owed (with room for timer slack).
      expect(Date.now() - idleSince).toBeGreaterThanOrEqual(4_500);
    }, 10_000);
  });
});

describe('the anonymous principal', () => {
  // Cost 2: one request a minute per bucket.
  const QUERY = '{ serverlessCache(name: "demo-valkey") { serverlessCacheName } }';
  const LIMITS = { RATE_LIMIT_READ_COST_PER_MINUTE: '2' };

  async function expectRefused(gateway: TestGateway, from: string, headers?: Record<string, string>) {
    const before = await awsCalls(gateway);
    const { status, retryAfter, body } = await postFrom(gateway.url, from, QUERY, headers);
    expect(status).toBe(429);
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
    expect(body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await awsCalls(gateway)).toBe(before);
  }

  describe('without TRUSTED_PROXIES', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ env: LIMITS });
    });
    afterAll(() => gateway.close());

    it('is counted per client address', async () => {
      expect((await postFrom(gateway.url, '127.0.0.1', QUERY)).status).toBe(200);
      await expectRefused(gateway, '127.0.0.1');
      expect((await postFrom(gateway.url, '127.0.0.2', QUERY)).status).toBe(200);
    });

    it('ignores X-Forwarded-For: a client cannot name itself a new address', async () => {
      expect((await postFrom(gateway.url, '127.0.0.3', QUERY, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(200);
      await expectRefused(gateway, '127.0.0.3', { 'x-forwarded-for': '203.0.113.2' });
    });
  });

  describe('with TRUSTED_PROXIES', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ env: { ...LIMITS, TRUSTED_PROXIES: '127.0.0.1' } });
    });
    afterAll(() => gateway.close());

    it('counts the address a trusted proxy forwards, each apart', async () => {
      expect((await postFrom(gateway.url, '127.0.0.1', QUERY, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(200);
      expect((await postFrom(gateway.url, '127.0.0.1', QUERY, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(200);
      await expectRefused(gateway, '127.0.0.1', { 'x-forwarded-for': '203.0.113.1' });
    });

    it('ignores X-Forwarded-For from a peer it does not name', async () => {
      expect((await postFrom(gateway.url, '127.0.0.2', QUERY, { 'x-forwarded-for': '203.0.113.3' })).status).toBe(200);
      await expectRefused(gateway, '127.0.0.2', { 'x-forwarded-for': '203.0.113.4' });
    });
  });
});

describe('connections per principal, when a socket closes while it is authenticated', () => {
  let issuer: DevIssuer;
  let slowKeys: Server;
  let keysServed: Promise<void>;
  let gateway: TestGateway;
  beforeAll(async () => {
    issuer = await startIssuer();
    let served: () => void = () => undefined;
    keysServed = new Promise((resolve) => (served = resolve));
    // The issuer's key set, answered late: the gateway is still checking the first token when the
    // client goes away.
    slowKeys = createServer((_request, response) => {
      setTimeout(() => {
        void fetch(`${issuer.url}/jwks.json`).then(async (keys) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(await keys.text());
          served();
        });
      }, 300);
    });
    await new Promise<void>((resolve) => slowKeys.listen(0, '127.0.0.1', resolve));
    const { port } = slowKeys.address() as { port: number };
    gateway = await startTestGateway({
      env: {
        AUTH_JWT_ISSUER: issuer.url,
        AUTH_JWT_AUDIENCE: AUDIENCE,
        AUTH_JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
        SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL: '1',
      },
    });
  });
  afterAll(async () => {
    await gateway.close();
    slowKeys.closeAllConnections();
    await new Promise((resolve) => slowKeys.close(resolve));
    await issuer.close();
  });

  // A socket may close while its credential is being checked: counted then, it would never be
  // counted out, and its principal would be refused (4429) with no socket open.
  it('does not count the closed socket against its principal', async () => {
    const grant = { sub: 'alice', scopes: ['snapshots:read'], caches: ['*'] };
    // Expired, yet within the 5 s clock tolerance, so the token's lifetime cannot outlast the test.
    const expiring = await issuer.mint({ ...grant, claims: { exp: Math.floor(Date.now() / 1000) - 3 } });
    const gone = rawSocket(gateway, { authorization: `Bearer ${expiring}` });
    await gone.opened;
    await new Promise((resolve) => setTimeout(resolve, 50));
    gone.socket.terminate();
    await gone.closed;
    await keysServed;
    await new Promise((resolve) => setTimeout(resolve, 100));

    const next = rawSocket(gateway, { authorization: `Bearer ${await issuer.mint(grant)}` });
    expect(await next.outcome).toBe('ack');
    next.socket.close();
  });
});
