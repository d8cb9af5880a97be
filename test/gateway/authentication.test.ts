/**
 * Bearer tokens from an OIDC issuer, end to end: a real issuer on loopback (discovery document and
 * key set over HTTP, keys made with jose), the gateway fetching its keys, and every kind of bad
 * token refused with HTTP 401 before anything runs.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPair, SignJWT, type KeyLike } from 'jose';
import type { DevIssuer } from '../../src/dev-issuer/issuer';
import { AUDIENCE, rawGraphQL, startIssuer, startSilentServer, startStallingServer, writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const CACHES = '{ serverlessCaches { nodes { serverlessCacheName } } }';
const CREATE = (name: string) =>
  `mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "${name}", serverlessCacheName: "demo-valkey"}) { __typename } }`;

let issuer: DevIssuer;
let gateway: TestGateway;
const { file: apiKeysFile, keys } = writeApiKeys([{ id: 'robot', scopes: ['snapshots:read'], caches: ['*'] }]);

beforeAll(async () => {
  issuer = await startIssuer();
  gateway = await startTestGateway({
    env: { AUTH_JWT_ISSUER: issuer.url, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_API_KEYS_FILE: apiKeysFile, AUTH_JWKS_COOLDOWN_MS: '300' },
  });
});
afterAll(async () => {
  await gateway.close();
  await issuer.close();
});

const everything = { scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token with every right claimed, valid in every claim, signed with a key the issuer did not use. */
function signedElsewhere(header: { alg: string; kid: string }, key: Uint8Array | KeyLike): Promise<string> {
  return new SignJWT({ ...everything }).setProtectedHeader(header).setIssuer(issuer.url).setAudience(AUDIENCE).setSubject('mallory').setExpirationTime('10m').sign(key);
}

async function awsCalls(): Promise<number> {
  return Object.values(await gateway.emulator.calls()).reduce((a, b) => a + b, 0);
}

/** Asserts the request was refused with 401 before any resolver (no AWS call), and returns its message. */
async function expectUnauthenticated(headers: Record<string, string>, query = CACHES): Promise<string> {
  const before = await awsCalls();
  const { status, headers: responseHeaders, body } = await gateway.graphql(query, undefined, headers);
  expect(status).toBe(401);
  expect(responseHeaders.get('www-authenticate')).toBe('Bearer');
  expect(body.data).toBeUndefined();
  expect(body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }]);
  expect(await awsCalls()).toBe(before);
  return body.errors![0]!.message;
}

it('serves a caller with a valid token, and names the caller in the request log', async () => {
  const token = await issuer.mint({ sub: 'alice', ...everything });
  const { status, body } = await gateway.graphql<{ serverlessCaches: { nodes: unknown[] } }>(CACHES, undefined, bearer(token));
  expect(status).toBe(200);
  expect(body.data?.serverlessCaches.nodes.length).toBeGreaterThan(0);
  const { headers } = await gateway.graphql(CREATE('named-in-log'), undefined, bearer(token));
  const requestId = headers.get('x-request-id');
  expect(gateway.logs.filter((l) => l.requestId === requestId)).not.toEqual([]);
  expect(gateway.logs.filter((l) => l.requestId === requestId).every((l) => JSON.stringify(l.principal) === '{"kind":"jwt","id":"alice"}')).toBe(true);
});

it('refuses a token signed with an algorithm outside AUTH_JWT_ALGORITHMS, however well signed', async () => {
  const rsaOnly = await startTestGateway({ env: { AUTH_JWT_ISSUER: issuer.url, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_JWT_ALGORITHMS: 'RS256' } });
  try {
    const token = await issuer.mint({ sub: 'alice', ...everything });
    expect((await rsaOnly.graphql(CACHES, undefined, bearer(token))).status).toBe(401);
    expect((await gateway.graphql(CACHES, undefined, bearer(token))).status).toBe(200);
  } finally {
    await rsaOnly.close();
  }
});

it('takes the key set from AUTH_JWT_JWKS_URL without asking for a discovery document', async () => {
  // The issuer's own address never answers: only the key set URL is ever fetched.
  const silent = await startSilentServer();
  const direct = await startTestGateway({
    env: { AUTH_JWT_ISSUER: silent.url, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_JWT_JWKS_URL: `${issuer.url}/jwks.json`, AUTH_JWKS_TIMEOUT_MS: '5000' },
  });
  try {
    const token = await issuer.mint({ sub: 'alice', ...everything, claims: { iss: silent.url } });
    expect((await direct.graphql(CACHES, undefined, bearer(token))).status).toBe(200);
    expect(silent.openConnections()).toBe(0);
  } finally {
    await direct.close();
    await silent.close();
  }
});

it('refuses a token from another issuer at once, without asking its own issuer anything', async () => {
  const silent = await startSilentServer();
  const down = await startTestGateway({ env: { AUTH_JWT_ISSUER: `${silent.url}/`, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_JWKS_TIMEOUT_MS: '5000' } });
  try {
    const { status } = await down.graphql(CACHES, undefined, bearer(await issuer.mint({ sub: 'alice', ...everything })));
    // Not 503 after waiting for its own issuer's discovery document: the token's `iss` settles it.
    expect(status).toBe(401);
  } finally {
    await down.close();
    await silent.close();
  }
});

it('answers 401 before reading the body: a malformed or oversized body without credentials is still UNAUTHENTICATED', async () => {
  for (const body of ['{ not json', 'x'.repeat(200_000)]) {
    const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  }
  const options = await fetch(`${gateway.url}/graphql`, { method: 'OPTIONS', headers: { 'apollo-require-preflight': '1' } });
  expect(options.status).toBeLessThan(500);
  expect(gateway.logs.filter((l) => l.msg === 'unexpected error masked from the client')).toEqual([]);
});

it('refuses a request without credentials, including a mutation, with 401 and nothing run', async () => {
  expect(await expectUnauthenticated({})).toMatch(/Authorization: Bearer/);
  await expectUnauthenticated({}, CREATE('no-credentials'));
});

it('refuses another scheme, and a malformed bearer value', async () => {
  await expectUnauthenticated({ authorization: 'Basic YWxpY2U6c2VjcmV0' });
  await expectUnauthenticated({ authorization: 'Bearer' });
  await expectUnauthenticated({ authorization: `Bearer ${await issuer.mint({ sub: 'a', ...everything })} extra` });
});

it('refuses two Authorization headers, even when both hold valid tokens', async () => {
  const token = await issuer.mint({ sub: 'alice', ...everything });
  const before = await awsCalls();
  const response = await rawGraphQL(gateway.url, ['authorization', `Bearer ${token}`, 'authorization', `Bearer ${token}`], CACHES);
  expect(response.status).toBe(401);
  expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(await awsCalls()).toBe(before);
  // The same token once is accepted: the refusal is about the duplicate.
  expect((await rawGraphQL(gateway.url, ['authorization', `Bearer ${token}`], CACHES)).status).toBe(200);
});

it('refuses a token together with an API key, even when both are valid', async () => {
  const token = await issuer.mint({ sub: 'alice', ...everything });
  expect((await gateway.graphql(CACHES, undefined, { 'x-api-key': keys.robot! })).status).toBe(200);
  await expectUnauthenticated({ ...bearer(token), 'x-api-key': keys.robot! });
});

it('refuses an unsigned token (alg: none)', async () => {
  const claims = { iss: issuer.url, aud: AUDIENCE, sub: 'mallory', exp: now() + 600, ...everything };
  await expectUnauthenticated(bearer(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`));
});

it('refuses an HMAC token signed with the public key as its secret', async () => {
  const jwks = (await (await fetch(`${issuer.url}/jwks.json`)).json()) as { keys: unknown[] };
  const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
  await expectUnauthenticated(bearer(await signedElsewhere({ alg: 'HS256', kid: issuer.currentKeyId }, secret)));
});

it('refuses a token signed by a key the issuer does not publish (unknown kid)', async () => {
  const { privateKey } = await generateKeyPair('ES256');
  await expectUnauthenticated(bearer(await signedElsewhere({ alg: 'ES256', kid: randomUUID() }, privateKey)));
});

it('refuses a token whose signature does not match its content', async () => {
  const [header, , signature] = (await issuer.mint({ sub: 'alice', ...everything })).split('.');
  const forged = base64url({ iss: issuer.url, aud: AUDIENCE, sub: 'admin', exp: now() + 600, ...everything });
  await expectUnauthenticated(bearer(`${header}.${forged}.${signature}`));
});

it.each([
  ['another issuer', { iss: 'https://login.evil.example/' }],
  ['another audience', { aud: 'some-other-api' }],
  ['no expiry', { exp: undefined }],
  ['no subject', { sub: undefined }],
  ['a `nbf` in the future', { nbf: now() + 120 }],
])('refuses a token with %s', async (_case, claims) => {
  await expectUnauthenticated(bearer(await issuer.mint({ sub: 'alice', ...everything, claims })));
});

it('refuses an expired token, saying it expired, but allows 5 s of clock skew', async () => {
  const expired = await issuer.mint({ sub: 'alice', ...everything, claims: { exp: now() - 60 } });
  expect(await expectUnauthenticated(bearer(expired))).toMatch(/expired/);
  const justExpired = await issuer.mint({ sub: 'alice', ...everything, claims: { exp: now() - 2 } });
  expect((await gateway.graphql(CACHES, undefined, bearer(justExpired))).status).toBe(200);
});

it('keeps introspection and the landing page behind authentication', async () => {
  await expectUnauthenticated({}, '{ __schema { queryType { name } } }');
  const landing = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
  expect(landing.status).toBe(401);
  expect(await landing.text()).not.toMatch(/<html/i);
  const token = await issuer.mint({ sub: 'alice', ...everything });
  const introspection = await gateway.graphql('{ __schema { queryType { name } } }', undefined, bearer(token));
  expect(introspection.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
});

it('picks up a rotated signing key, and stops accepting the old one', async () => {
  const old = await issuer.mint({ sub: 'alice', ...everything });
  expect((await gateway.graphql(CACHES, undefined, bearer(old))).status).toBe(200);
  await issuer.rotateKey();
  // A token naming a key the gateway has not seen makes it fetch the key set again, at most once per cooldown.
  await new Promise((resolve) => setTimeout(resolve, 350));
  const fresh = await issuer.mint({ sub: 'alice', ...everything });
  expect((await gateway.graphql(CACHES, undefined, bearer(fresh))).status).toBe(200);
  expect((await gateway.graphql(CACHES, undefined, bearer(old))).status).toBe(401);
});

it('never writes a token to the log', async () => {
  const token = await issuer.mint({ sub: 'alice', ...everything });
  await gateway.graphql(CACHES, undefined, bearer(token));
  await gateway.graphql(CACHES, undefined, bearer(`${token}x`));
  const log = JSON.stringify(gateway.logs);
  expect(log).not.toContain(token.split('.')[2]);
  expect(log).toContain('authentication refused');
});

it("mints tokens over the development issuer's /token, with every right unless told otherwise", async () => {
  const mint = async (query: string) => ((await (await fetch(`${issuer.url}/token${query}`)).json()) as { access_token: string }).access_token;
  const full = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(CREATE('minted-full'), undefined, bearer(await mint('')));
  expect(full.body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
  const reader = await gateway.graphql(CREATE('minted-reader'), undefined, bearer(await mint('?sub=rita&scope=snapshots:read&caches=demo-valkey')));
  expect(reader.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect((await fetch(`${issuer.url}/token?ttl=soon`)).status).toBe(400);
});

describe('an issuer that does not answer', () => {
  it('bounds discovery and the key set together by the one fetch timeout', async () => {
    const stalling = await startStallingServer();
    // An issuer whose discovery document takes most of the bound, naming a key set that stalls.
    let slowUrl = '';
    const slowIssuer = createServer((_request, response) => {
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ issuer: slowUrl, jwks_uri: `${stalling.url}/jwks.json` }));
      }, 900);
    });
    await new Promise<void>((resolve) => slowIssuer.listen(0, '127.0.0.1', resolve));
    slowUrl = `http://127.0.0.1:${(slowIssuer.address() as { port: number }).port}`;
    const hung = await startTestGateway({ env: { AUTH_JWT_ISSUER: slowUrl, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_JWKS_TIMEOUT_MS: '1000' } });
    try {
      const token = await issuer.mint({ sub: 'alice', ...everything, claims: { iss: slowUrl } });
      const started = Date.now();
      const { status } = await hung.graphql(CACHES, undefined, bearer(token));
      // One bound of 1 s (and a little slack), not 0.9 s of discovery followed by a bound of its own.
      expect(Date.now() - started).toBeLessThan(1800);
      expect(status).toBe(503);
    } finally {
      await hung.close();
      slowIssuer.closeAllConnections();
      slowIssuer.close();
      await stalling.close();
    }
  });

  it('leaves no connection to a stalled key set behind, and tries afresh on the next request', async () => {
    const stalling = await startStallingServer();
    const hung = await startTestGateway({
      env: { AUTH_JWT_ISSUER: issuer.url, AUTH_JWT_JWKS_URL: `${stalling.url}/jwks.json`, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_JWKS_TIMEOUT_MS: '300' },
    });
    try {
      const token = await issuer.mint({ sub: 'alice', ...everything });
      for (let i = 0; i < 3; i++) expect((await hung.graphql(CACHES, undefined, bearer(token))).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stalling.openConnections()).toBe(0);
    } finally {
      await hung.close();
      await stalling.close();
    }
  });

  it.each([
    ['the key set hangs', 'jwks', startSilentServer],
    ['the key set stalls after its headers', 'jwks', startStallingServer],
    ['the discovery document hangs', 'discovery', startSilentServer],
  ] as const)('fails the request within the fetch timeout when %s, with 503', async (_case, which, start) => {
    const silent = await start();
    const env: Record<string, string> =
      which === 'jwks'
        ? { AUTH_JWT_ISSUER: issuer.url, AUTH_JWT_JWKS_URL: `${silent.url}/jwks.json` }
        : { AUTH_JWT_ISSUER: `${silent.url}/` };
    const hung = await startTestGateway({ env: { ...env, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_JWKS_TIMEOUT_MS: '500' } });
    try {
      const claims = which === 'discovery' ? { iss: `${silent.url}/` } : {};
      const token = await issuer.mint({ sub: 'alice', ...everything, claims });
      const started = Date.now();
      const { status, body } = await hung.graphql(CACHES, undefined, bearer(token));
      expect(Date.now() - started).toBeLessThan(1500);
      expect(status).toBe(503);
      expect(body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'AUTHENTICATION_UNAVAILABLE' } }]);
    } finally {
      await hung.close();
      await silent.close();
    }
  });
});

describe('group policy (AUTH_POLICY_FILE)', () => {
  it("never pairs one grant's scope with another's caches", async () => {
    const policyFile = `${apiKeysFile}.pairs.json`;
    writeFileSync(
      policyFile,
      JSON.stringify([
        { group: 'valkey-readers', scopes: ['snapshots:read'], caches: ['demo-valkey'] },
        { group: 'redis-operators', scopes: ['snapshots:read', 'snapshots:write'], caches: ['demo-redis'] },
      ]),
    );
    const withPolicy = await startTestGateway({ env: { AUTH_JWT_ISSUER: issuer.url, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_POLICY_FILE: policyFile } });
    try {
      const token = await issuer.mint({ sub: 'carol', groups: ['valkey-readers', 'redis-operators'], scopes: ['snapshots:read'], caches: ['demo-memcached'] });
      const create = async (cache: string) => {
        const { body } = await withPolicy.graphql<{ createServerlessCacheSnapshot: { __typename: string } | null }>(
          `mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "pair-${cache}", serverlessCacheName: "${cache}"}) { __typename } }`,
          undefined,
          bearer(token),
        );
        return body.data?.createServerlessCacheSnapshot?.__typename ?? body.errors?.[0]?.extensions?.code;
      };
      expect(await create('demo-redis')).toBe('CreateServerlessCacheSnapshotSuccess');
      expect(await create('demo-valkey')).toBe('FORBIDDEN');
      expect(await create('demo-memcached')).toBe('FORBIDDEN');
    } finally {
      await withPolicy.close();
    }
  });

  it('grants a token what its groups are given, on top of its own claims', async () => {
    const policyFile = `${apiKeysFile}.policy.json`;
    writeFileSync(policyFile, JSON.stringify([{ group: 'team-valkey', scopes: ['snapshots:read'], caches: ['demo-valkey'] }]));
    const withPolicy = await startTestGateway({ env: { AUTH_JWT_ISSUER: issuer.url, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_POLICY_FILE: policyFile } });
    try {
      const names = async (token: string) => {
        const { body } = await withPolicy.graphql<{ serverlessCaches: { nodes: { serverlessCacheName: string }[] } }>(CACHES, undefined, bearer(token));
        return body.data?.serverlessCaches.nodes.map((n) => n.serverlessCacheName).sort() ?? body.errors?.[0]?.extensions?.code;
      };
      expect(await names(await issuer.mint({ sub: 'bob', groups: ['team-valkey'] }))).toEqual(['demo-valkey']);
      expect(await names(await issuer.mint({ sub: 'bob', groups: ['team-valkey'], scopes: ['snapshots:read'], caches: ['demo-redis'] }))).toEqual(['demo-redis', 'demo-valkey']);
      // Caches without a scope of the token's own grant nothing.
      expect(await names(await issuer.mint({ sub: 'bob', groups: ['team-valkey'], caches: ['demo-redis'] }))).toEqual(['demo-valkey']);
      expect(await names(await issuer.mint({ sub: 'bob', groups: ['another-team'] }))).toBe('FORBIDDEN');
    } finally {
      await withPolicy.close();
    }
  });
});
