/**
 * The WebSocket door meets the same stages as HTTP: a foreign origin is refused at the upgrade,
 * credentials in `connection_init` are checked before any operation, an expiring token closes the
 * socket, authorization and the document checks are the HTTP path's own.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { DevIssuer } from '../../src/dev-issuer/issuer';
import { AUDIENCE, startIssuer, writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { connect, subscribe } from '../support/subscriptions';

const WATCH = 'subscription($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { serverlessCacheSnapshotName status } }';
const CREATE = (name: string, cache: string) =>
  `mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "${name}", serverlessCacheName: "${cache}"}) { __typename } }`;

const { file, keys } = writeApiKeys([
  { id: 'admin', scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] },
  { id: 'valkey-reader', scopes: ['snapshots:read'], caches: ['demo-valkey'] },
]);

let issuer: DevIssuer;
let gateway: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  issuer = await startIssuer();
  gateway = await startTestGateway({
    env: {
      AUTH_API_KEYS_FILE: file,
      AUTH_JWT_ISSUER: issuer.url,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '300',
      SUBSCRIPTION_POLL_INTERVAL_MS: '50',
      CORS_ORIGINS: 'https://app.example.com',
    },
  });
  for (const [name, cache] of [['ws-valkey', 'demo-valkey'], ['ws-redis', 'demo-redis']] as const) {
    const { body } = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(CREATE(name, cache), undefined, { 'x-api-key': keys.admin! });
    expect(body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
  }
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await gateway.close();
  await issuer.close();
});

/** A client whose socket's close code is recorded. */
function client(connectionParams?: Record<string, unknown>) {
  let closed: (code: number) => void = () => undefined;
  const closeCode = new Promise<number>((resolve) => (closed = resolve));
  const c = connect(gateway.url, connectionParams, { closed: (event) => closed((event as { code: number }).code) });
  clients.push(c);
  return { client: c, closeCode };
}

/** A client whose socket stays open with no operation running, until the server closes it. */
function openSocket(httpUrl: string, connectionParams: Record<string, unknown>) {
  let closed: (code: number) => void = () => undefined;
  const closeCode = new Promise<number>((resolve) => (closed = resolve));
  const c = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams,
    on: { closed: (event) => closed((event as { code: number }).code) },
    onNonLazyError: () => undefined,
  });
  clients.push(c);
  return { client: c, closeCode };
}

async function awsCalls(): Promise<number> {
  return Object.values(await gateway.emulator.calls()).reduce((a, b) => a + b, 0);
}

/** Opens a bare WebSocket with the given Origin; resolves to 'open' or the HTTP status of the refusal. */
function upgrade(origin: string | undefined): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', origin === undefined ? {} : { origin });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('origin', () => {
  it('refuses the upgrade from a foreign origin, and accepts its own, an allowed one, and non-browsers', async () => {
    expect(await upgrade('https://evil.example')).toBe(403);
    expect(await upgrade('null')).toBe(403);
    expect(await upgrade(gateway.url)).toBe('open');
    expect(await upgrade('https://app.example.com')).toBe('open');
    expect(await upgrade(undefined)).toBe('open');
  });

  it('refuses a foreign origin with authentication off too, before any resolver runs', async () => {
    const open = await startTestGateway();
    try {
      const before = Object.values(await open.emulator.calls()).reduce((a, b) => a + b, 0);
      const socket = new WebSocket(`${open.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { origin: 'https://evil.example' });
      const status = await new Promise<number>((resolve) => socket.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0)));
      expect(status).toBe(403);
      expect(Object.values(await open.emulator.calls()).reduce((a, b) => a + b, 0)).toBe(before);
    } finally {
      await open.close();
    }
  });
});

describe('credentials', () => {
  it('closes a socket without credentials with 4403 before any operation runs', async () => {
    const before = await awsCalls();
    const { client: c, closeCode } = client();
    const watch = subscribe(c, WATCH, { name: 'ws-valkey' });
    await expect(watch.done).rejects.toBeDefined();
    expect(await closeCode).toBe(4403);
    expect(watch.events).toEqual([]);
    expect(await awsCalls()).toBe(before);
  });

  it('closes a socket with an unknown API key or a bad token with 4403', async () => {
    for (const params of [{ 'x-api-key': 'esgw_not-a-key' }, { authorization: 'Bearer not.a.token' }, { authorization: 42 }]) {
      const { client: c, closeCode } = client(params);
      await expect(subscribe(c, WATCH, { name: 'ws-valkey' }).done).rejects.toBeDefined();
      expect(await closeCode).toBe(4403);
    }
  });

  it('serves a subscription with an API key or a token in connection_init', async () => {
    const token = await issuer.mint({ sub: 'alice', scopes: ['snapshots:read'], caches: ['demo-*'] });
    for (const params of [{ 'x-api-key': keys['valkey-reader'] }, { Authorization: `Bearer ${token}` }]) {
      const watch = subscribe<{ serverlessCacheSnapshotStatusChanged: { status: string } }>(client(params).client, WATCH, { name: 'ws-valkey' });
      await watch.done;
      expect(watch.events.at(-1)?.data?.serverlessCacheSnapshotStatusChanged.status).toBe('available');
    }
  });

  it('closes the socket with 4401 when the token expires', async () => {
    // Accepted within the 5 s clock tolerance, and so good for about two more seconds.
    const token = await issuer.mint({ sub: 'alice', scopes: ['snapshots:read'], caches: ['*'], claims: { exp: Math.floor(Date.now() / 1000) - 3 } });
    const { client: c, closeCode } = openSocket(gateway.url, { authorization: `Bearer ${token}` });
    const watch = subscribe(c, '{ serverlessCaches { nodes { serverlessCacheName } } }', {});
    await watch.done;
    expect(watch.events).toHaveLength(1);
    expect(await closeCode).toBe(4401);
  });
});

describe('the same stages as HTTP', () => {
  it('refuses a snapshot of a forbidden cache exactly as an unknown name', async () => {
    const reader = client({ 'x-api-key': keys['valkey-reader'] }).client;
    const failure = (name: string) =>
      subscribe(reader, WATCH, { name }).done.then(
        () => 'completed',
        (error: unknown) => (error instanceof Error ? error.message : String(error)).replaceAll(name, 'NAME'),
      );
    const forbidden = await failure('ws-redis');
    expect(forbidden).toContain('BAD_USER_INPUT');
    expect(forbidden).toBe(await failure('ws-nothing-here'));
  });

  it('answers FORBIDDEN to a mutation without the write scope, and calls no AWS', async () => {
    const before = await awsCalls();
    const watch = subscribe<{ createServerlessCacheSnapshot: null }>(client({ 'x-api-key': keys['valkey-reader'] }).client, CREATE('ws-denied', 'demo-valkey'), {});
    await watch.done;
    expect(watch.events[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await awsCalls()).toBe(before);
  });

  it('answers bad variables and an unknown operation name with the codes HTTP gives', async () => {
    const document = 'query Caches($first: Int) { serverlessCaches(first: $first) { nodes { arn } } }';
    const ws = (operationName: string | undefined, variables: Record<string, unknown>) =>
      new Promise<unknown>((resolve) => {
        client({ 'x-api-key': keys.admin }).client.subscribe(
          { query: document, variables, ...(operationName ? { operationName } : {}) },
          { next: () => undefined, error: (errors: unknown) => resolve(errors), complete: () => resolve('completed') },
        );
      });
    const codes = (errors: unknown) => (errors as { extensions: { code: string } }[]).map((e) => e.extensions.code);
    expect(codes(await ws(undefined, { first: 'many' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ws('NoSuchOperation', {}))).toEqual(['OPERATION_RESOLUTION_FAILURE']);
    const http = await gateway.graphql(document, { first: 'many' }, { 'x-api-key': keys.admin! });
    expect(http.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.logs.filter((l) => l.msg === 'unexpected error masked from the client')).toEqual([]);
  });

  it('needs snapshots:read to subscribe', async () => {
    const { keys: writerKeys, file: writerFile } = writeApiKeys([{ id: 'writer', scopes: ['snapshots:write'], caches: ['*'] }]);
    const writerGateway = await startTestGateway({ env: { AUTH_API_KEYS_FILE: writerFile } });
    try {
      const c = connect(writerGateway.url, { 'x-api-key': writerKeys.writer });
      // Refused by the field's resolver: a result with the error, then completion.
      const watch = subscribe(c, WATCH, { name: 'anything' });
      await watch.done;
      expect(watch.events.map((e) => e.errors?.map((error) => error.extensions?.code))).toEqual([['FORBIDDEN']]);
      await c.dispose();
    } finally {
      await writerGateway.close();
    }
  });

  it('closes an open socket whose API key was revoked, once the key file is reloaded', async () => {
    const { file: revocable, keys: revocableKeys } = writeApiKeys([{ id: 'doomed', scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] }]);
    const own = await startTestGateway({ env: { AUTH_API_KEYS_FILE: revocable } });
    try {
      const { client: c, closeCode } = openSocket(own.url, { 'x-api-key': revocableKeys.doomed });
      await subscribe(c, '{ __typename }', {}).done;
      writeApiKeys([], revocable);
      const before = Object.values(await own.emulator.calls()).reduce((a, b) => a + b, 0);
      await own.gateway.reloadCredentials();
      expect(await closeCode).toBe(4403);
      expect(Object.values(await own.emulator.calls()).reduce((a, b) => a + b, 0)).toBe(before);
      await c.dispose();
    } finally {
      await own.close();
    }
  });

  it('answers a misspelt field with GRAPHQL_VALIDATION_FAILED, as HTTP does, without a server-fault log line', async () => {
    const document = 'subscription { serverlessCacheSnapshotStatusChangd(name: "ws-valkey") { status } }';
    const http = await gateway.graphql(document, undefined, { 'x-api-key': keys.admin! });
    const ws = await subscribe(client({ 'x-api-key': keys.admin }).client, document, {}).done.then(
      () => 'completed',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(http.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.parse(ws)).toEqual([{ message: http.body.errors?.[0]?.message, locations: expect.any(Array), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
    expect(gateway.logs.filter((l) => l.msg === 'unexpected error masked from the client')).toEqual([]);
  });
});
