/**
 * API keys (`x-api-key`): only hashes on disk, one principal per key, revocation by editing the
 * file and reloading it (SIGHUP in production; `reloadCredentials`, which SIGHUP calls, here).
 */
import { writeFileSync } from 'node:fs';
import { PolicyFileError } from '../../src/auth/policy-files';
import { rawGraphQL, writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const CACHES = '{ serverlessCaches { nodes { serverlessCacheName } } }';
const everything = { scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] };

let gateway: TestGateway;
let keysFile: string;
let keys: Record<string, string>;
beforeEach(async () => {
  ({ file: keysFile, keys } = writeApiKeys([
    { id: 'billing-svc', ...everything },
    { id: 'search-svc', ...everything },
  ]));
  gateway = await startTestGateway({ env: { AUTH_API_KEYS_FILE: keysFile } });
});
afterEach(() => gateway.close());

const status = async (key: string) => (await gateway.graphql(CACHES, undefined, { 'x-api-key': key })).status;

it('serves a caller with a key from the file, and refuses any other key', async () => {
  expect(await status(keys['billing-svc']!)).toBe(200);
  expect(await status(`${keys['billing-svc']!}x`)).toBe(401);
  expect(await status('')).toBe(401);
});

it('refuses two x-api-key headers, even with valid keys', async () => {
  const key = keys['billing-svc']!;
  expect((await rawGraphQL(gateway.url, ['x-api-key', key, 'x-api-key', key], CACHES)).status).toBe(401);
});

it('refuses a bearer token when only API keys are configured', async () => {
  expect((await gateway.graphql(CACHES, undefined, { authorization: 'Bearer abc.def.ghi' })).status).toBe(401);
});

it('stops accepting a revoked key once the file is reloaded, and accepts a new one', async () => {
  const { keys: fresh } = writeApiKeys([{ id: 'billing-svc-2', ...everything }, { id: 'search-svc', ...everything }], keysFile);
  expect(await status(keys['billing-svc']!)).toBe(200);
  await gateway.gateway.reloadCredentials();
  expect(await status(keys['billing-svc']!)).toBe(401);
  expect(await status(fresh['billing-svc-2']!)).toBe(200);
  expect(gateway.logs).toContainEqual(expect.objectContaining({ msg: 'credentials reloaded', apiKeys: 2 }));
});

it('keeps the keys in force when the reloaded file is broken, and says which entry is wrong', async () => {
  writeFileSync(keysFile, JSON.stringify([{ id: 'billing-svc', sha256: 'not-hex', scopes: ['snapshots:read'], caches: [] }]));
  await expect(gateway.gateway.reloadCredentials()).rejects.toThrow(PolicyFileError);
  await expect(gateway.gateway.reloadCredentials()).rejects.toThrow(/\[0\]\.\[sha256\]/);
  expect(await status(keys['billing-svc']!)).toBe(200);
});

it('refuses to start with a key file that cannot be used', async () => {
  writeFileSync(keysFile, JSON.stringify([{ id: 'a', sha256: 'a'.repeat(64), scopes: ['snapshots:delete'], caches: [] }]));
  await expect(startTestGateway({ env: { AUTH_API_KEYS_FILE: keysFile } })).rejects.toThrow(/keys\.json: \[0\]\.\[scopes\]\.\[0\]/);
  await expect(startTestGateway({ env: { AUTH_API_KEYS_FILE: `${keysFile}.missing` } })).rejects.toThrow(/cannot be read \(ENOENT\)/);
});
