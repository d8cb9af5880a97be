/**
 * The gateway as `npm start` runs it, in its own process (TypeScript through tsx, no build): what it
 * says at start-up about authentication, what it refuses to start with (and how it says so), and
 * SIGHUP re-reading the API key file. Stopping: test/shutdown.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeApiKeys } from './support/auth';
import { gatewayStderr, startProcess, stopProcess, type GatewayProcess } from './support/process';

const start = startProcess;
const stop = stopProcess;

jest.setTimeout(30_000);

it('refuses to start against AWS without authentication, naming the variables', async () => {
  const started = start({ ELASTICACHE_BACKEND: 'aws', AWS_REGION: 'eu-west-1' });
  expect(await started.exit).toBe(2);
  expect(started.stderr()).toMatch(/AUTH_JWT_ISSUER/);
  expect(started.stderr()).toMatch(/AUTH_API_KEYS_FILE/);
  expect(started.stderr()).toMatch(/AUTH_DISABLED=true/);
});

it('refuses to start with an API key file it cannot use, naming the file', async () => {
  const { file } = writeApiKeys([]);
  writeFileSync(file, '{ not json');
  const started = start({ AUTH_API_KEYS_FILE: file });
  expect(await started.exit).toBe(2);
  expect(started.stderr()).toContain(`${file}: is not valid JSON`);
});

it('says in one warning line that callers are anonymous when nothing is configured', async () => {
  const started = start({});
  try {
    await started.line((l) => l.msg === 'gateway ready');
    const warnings = started.lines.filter((l) => l.level === 40);
    expect(warnings).toEqual([expect.objectContaining({ component: 'auth', msg: expect.stringMatching(/^authentication is off: every caller is anonymous/) })]);
  } finally {
    await stop(started);
  }
});

it('re-reads the API key file on SIGHUP: a revoked key stops working without a restart', async () => {
  const grant = { scopes: ['snapshots:read'], caches: ['*'] };
  const { file, keys } = writeApiKeys([{ id: 'old', ...grant }]);
  const started = start({ AUTH_API_KEYS_FILE: file });
  try {
    const ready = await started.line((l) => l.msg === 'gateway ready');
    const call = async (key: string) =>
      (await fetch(String(ready.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: '{"query":"{ __typename }"}' })).status;
    expect(await call(keys.old!)).toBe(200);
    expect(started.lines.filter((l) => l.level === 40)).toEqual([]);

    const { keys: replaced } = writeApiKeys([{ id: 'new', ...grant }], file);
    started.process.kill('SIGHUP');
    await started.line((l) => l.msg === 'credentials reloaded');
    expect(await call(keys.old!)).toBe(401);
    expect(await call(replaced.new!)).toBe(200);

    writeFileSync(file, '[{"id": "broken"}]');
    started.process.kill('SIGHUP');
    await started.line((l) => typeof l.msg === 'string' && l.msg.startsWith('credentials not reloaded'));
    expect(await call(replaced.new!)).toBe(200);
  } finally {
    await stop(started);
  }
});

describe('a start that cannot work stops at once: one line naming the setting, exit code 2, no port opened', () => {
  const work = mkdtempSync(join(tmpdir(), 'gateway-start-'));
  const againstAws = { ELASTICACHE_BACKEND: 'aws', AUTH_DISABLED: 'true' };
  /** Log lines saying a port was opened: the emulator's, the public one, or the gateway's readiness. */
  const listening = (started: GatewayProcess) =>
    started.lines.filter((l) => l.msg === 'using the embedded ElastiCache emulator' || l.msg === 'gateway ready' || String(l.msg).startsWith('Server listening'));

  async function refused(env: Record<string, string>): Promise<{ message: string; started: GatewayProcess }> {
    const started = start(env);
    expect(await started.exit).toBe(2);
    const message = gatewayStderr(started);
    // One line and no stack trace.
    expect(message.split('\n')).toEqual([expect.stringMatching(/^The gateway cannot start: /)]);
    return { message, started };
  }

  let occupied: Server;
  let occupiedPort: number;
  beforeAll(async () => {
    occupied = createServer();
    await new Promise<void>((listening) => occupied.listen(0, '127.0.0.1', listening));
    occupiedPort = (occupied.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((closed) => occupied.close(() => closed())));

  it('when no AWS region can be resolved: AWS_REGION unset, and none in the profile', async () => {
    const config = join(work, 'aws-config');
    writeFileSync(config, '[profile no-region]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n');
    const { message, started } = await refused({ ...againstAws, AWS_PROFILE: 'no-region', AWS_CONFIG_FILE: config });
    expect(message).toBe(
      'The gateway cannot start: AWS_REGION is not set and the SDK found no region in the shared config for AWS_PROFILE: set AWS_REGION, or region in that profile',
    );
    expect(listening(started)).toEqual([]);
  });

  it('when the SDK credential chain finds no credentials (and without asking AWS)', async () => {
    const { message, started } = await refused({ ...againstAws, AWS_REGION: 'eu-west-1' });
    expect(message).toBe(
      "The gateway cannot start: no AWS credentials: the SDK's credential chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, container or instance role) found none (Could not load credentials from any providers)",
    );
    expect(listening(started)).toEqual([]);
  });

  it('but starts with credentials AWS has not been asked about; /ready then says whether it can be reached', async () => {
    // A closed port for an endpoint: the start would fail if it called AWS.
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const endpoint = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((done) => closed.close(() => done()));
    const started = start({
      ...againstAws,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL_ELASTICACHE: endpoint,
      AWS_MAX_ATTEMPTS: '1',
    });
    try {
      const ready = await started.line((l) => l.msg === 'gateway ready');
      const probe = await fetch(new URL('/ready', String(ready.url)));
      expect(probe.status).toBe(503);
      expect(await probe.json()).toEqual({ status: 'unavailable', check: 'elasticache', code: 'UPSTREAM_UNAVAILABLE' });
    } finally {
      await stop(started);
    }
  });

  it('when PORT is in use', async () => {
    const { message, started } = await refused({ PORT: String(occupiedPort) });
    expect(message).toBe(`The gateway cannot start: PORT=${occupiedPort}: 127.0.0.1:${occupiedPort} is already in use by another process`);
    expect(started.lines.filter((l) => l.msg === 'gateway ready')).toEqual([]);
  });

  it('when METRICS_PORT is in use, before the public port opens', async () => {
    const { message, started } = await refused({ METRICS_PORT: String(occupiedPort) });
    expect(message).toBe(`The gateway cannot start: METRICS_PORT=${occupiedPort}: 127.0.0.1:${occupiedPort} is already in use by another process`);
    expect(listening(started).filter((l) => l.msg !== 'using the embedded ElastiCache emulator')).toEqual([]);
  });

  it('when HOST does not resolve', async () => {
    const { message, started } = await refused({ HOST: 'no-such-host.invalid' });
    expect(message).toBe('The gateway cannot start: HOST=no-such-host.invalid does not resolve to an address (ENOTFOUND)');
    expect(listening(started)).toEqual([]);
  });

  it("when the emulator's state file cannot be written: its directory does not exist, or is a file", async () => {
    const missing = join(work, 'no-such-directory', 'state.json');
    const first = await refused({ EMULATOR_STATE_FILE: missing });
    expect(first.message).toBe(`The gateway cannot start: EMULATOR_STATE_FILE=${missing} cannot be written: the directory ${join(work, 'no-such-directory')} does not exist`);
    expect(listening(first.started)).toEqual([]);

    const aFile = join(work, 'a-file');
    writeFileSync(aFile, '');
    const second = await refused({ EMULATOR_STATE_FILE: join(aFile, 'state.json') });
    expect(second.message).toBe(`The gateway cannot start: EMULATOR_STATE_FILE=${join(aFile, 'state.json')} cannot be written: ${aFile} is not a directory`);
    expect(listening(second.started)).toEqual([]);
  });
});
