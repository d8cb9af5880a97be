/**
 * Redis for the tests that need one: the machine's (REDIS_TEST_URL, default 127.0.0.1:6379) with a
 * key prefix of the test file's own, or a redis-server of the test's own that it can stop and
 * start. Without Redis those tests are skipped with one line saying how to run them, unless
 * REQUIRE_REDIS=1 (as .ci/run sets it), which makes a missing Redis a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
const requireRedis = process.env.REQUIRE_REDIS === '1';

/** Whether a Redis answers PING at `url` now (synchronously, for choosing `describe` or `describe.skip`). */
function reachable(url: string): boolean {
  const { hostname, port } = new URL(url);
  const probe = `const s=require('node:net').connect(${Number(port || 6379)},${JSON.stringify(hostname)});
s.setTimeout(1000,()=>process.exit(1));s.on('error',()=>process.exit(1));
s.on('connect',()=>s.write('PING\\r\\n'));s.on('data',(d)=>process.exit(String(d).startsWith('+PONG')?0:1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 5000 }).status === 0;
}

/**
 * `describe` when what the tests need is here, `describe.skip` with one line saying how to run
 * them otherwise, plus, under REQUIRE_REDIS=1, a test that fails when it is missing.
 */
export function describeWithRedis(what: { sharedRedis?: boolean; redisServer?: boolean }): jest.Describe {
  const missing: string[] = [];
  if (what.sharedRedis === true && !reachable(REDIS_URL)) missing.push(`no Redis answers at ${REDIS_URL}`);
  if (what.redisServer === true && !existsSync(REDIS_SERVER)) missing.push(`no redis-server at ${REDIS_SERVER}`);
  if (missing.length > 0 && !requireRedis) {
    console.warn(`Redis tests skipped (${missing.join('; ')}): start one with \`redis-server --save '' --appendonly no\` (or set REDIS_TEST_URL, REDIS_SERVER_PATH) and run again`);
  }
  describe('Redis requirement', () => {
    (requireRedis ? it : it.skip)('has Redis when REQUIRE_REDIS=1', () => {
      expect(missing).toEqual([]);
    });
  });
  return missing.length === 0 ? describe : describe.skip;
}

/** A key prefix no other test file (or run) uses. */
export function uniquePrefix(file: string): string {
  return `ecsg-test:${file}:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address !== null && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A redis-server of the test's own (no persistence), which the test may kill and start again on the same port. */
export class OwnRedisServer {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let tries = 0; tries < 100 && !reachable(this.url); tries++) await new Promise((r) => setTimeout(r, 50));
    if (!reachable(this.url)) throw new Error(`redis-server did not start on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }
}
