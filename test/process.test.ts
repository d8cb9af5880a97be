/**
 * The gateway as `npm start` runs it, in its own process (TypeScript through tsx, no build): what it
 * says at start-up about authentication, what it refuses to start with, and SIGHUP re-reading the
 * API key file.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeApiKeys } from './support/auth';

const ROOT = resolve(__dirname, '..');

interface Started {
  process: ChildProcessWithoutNullStreams;
  lines: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the first log line `predicate` accepts. */
  line(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exit: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...env },
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const text of complete.filter((l) => l.startsWith('{'))) {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.predicate(line))) waiter.resolve(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    process: child,
    lines,
    stderr: () => stderr,
    exit,
    line: (predicate) =>
      new Promise((found) => {
        const seen = lines.find(predicate);
        if (seen) found(seen);
        else waiters.push({ predicate, resolve: found });
      }),
  };
}

async function stop(started: Started): Promise<void> {
  started.process.kill('SIGTERM');
  await started.exit;
}

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
