/** Shared set-up for the emulator tests: a silent emulator on a free port and clients for it. */
import { ElastiCacheClient, ElastiCacheServiceException, type ElastiCacheClientConfig } from '@aws-sdk/client-elasticache';
import type { EmulatorConfig } from '../../src/config';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';
import { createLogger } from '../../src/logger';

export const silentLogger = createLogger('silent');

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function testConfig(overrides: Partial<EmulatorConfig> = {}): EmulatorConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    region: 'us-east-1',
    snapshotAvailableAfterMs: 60_000,
    snapshotDeleteAfterMs: 60_000,
    snapshotExportAfterMs: 60_000,
    cacheAvailableAfterMs: 60_000,
    dailySnapshotQuotaPerCache: 1000,
    serverlessCacheQuota: 40,
    stateFile: undefined,
    ...overrides,
  };
}

export function start(overrides: Partial<EmulatorConfig> = {}, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator(testConfig(overrides), silentLogger, options);
}

/** A clock tests move by hand: `clock.now` is what the emulator reads. */
export class ManualClock {
  now = Date.parse('2026-03-01T12:00:00.000Z');
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/**
 * Like `useEmulator`, with the given settings and a manual clock (`env.clock`), reset to the seed
 * state before each test. The clock is not reset: tests only ever move it forward.
 */
export function useClockedEmulator(overrides: Partial<EmulatorConfig> = {}): { readonly emulator: RunningEmulator; readonly client: ElastiCacheClient; readonly clock: ManualClock } {
  const env = { clock: new ManualClock() } as { emulator: RunningEmulator; client: ElastiCacheClient; clock: ManualClock };
  beforeAll(async () => {
    env.emulator = await start(overrides, { clock: env.clock.read });
    env.client = sdkClient(env.emulator.url);
  });
  afterAll(async () => {
    env.client.destroy();
    await env.emulator.close();
  });
  beforeEach(async () => {
    await adminCall(env.emulator.url, 'POST', '/reset');
  });
  return env;
}

export const ACCOUNT = '123456789012';
export const snapshotArnOf = (name: string, region = 'us-east-1'): string => `arn:aws:elasticache:${region}:${ACCOUNT}:serverlesscachesnapshot:${name}`;
export const cacheArnOf = (name: string, region = 'us-east-1'): string => `arn:aws:elasticache:${region}:${ACCOUNT}:serverlesscache:${name}`;

/**
 * One emulator and SDK client for a test file, reset to the seed state before each test. Read
 * them as `env.emulator` and `env.client` inside tests (they exist once `beforeAll` has run).
 */
export function useEmulator(): { readonly emulator: RunningEmulator; readonly client: ElastiCacheClient } {
  const env = {} as { emulator: RunningEmulator; client: ElastiCacheClient };
  beforeAll(async () => {
    env.emulator = await start();
    env.client = sdkClient(env.emulator.url);
  });
  afterAll(async () => {
    env.client.destroy();
    await env.emulator.close();
  });
  beforeEach(async () => {
    await adminCall(env.emulator.url, 'POST', '/reset');
  });
  return env;
}

export function sdkClient(url: string, overrides: Partial<ElastiCacheClientConfig> = {}): ElastiCacheClient {
  return new ElastiCacheClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...overrides,
  });
}

/** Awaits a promise that must reject with an SDK service error and checks what every fault must carry. */
export async function expectFault(
  call: Promise<unknown>,
  expected: { name: string; status: number; errorClass?: abstract new (...args: never[]) => Error },
): Promise<ElastiCacheServiceException> {
  const err = await call.then(
    () => {
      throw new Error(`expected ${expected.name}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ElastiCacheServiceException);
  const e = err as ElastiCacheServiceException;
  if (expected.errorClass !== undefined) expect(e).toBeInstanceOf(expected.errorClass);
  expect(e.name).toBe(expected.name);
  expect(e.$metadata.httpStatusCode).toBe(expected.status);
  expect(e.$metadata.requestId).toMatch(UUID);
  return e;
}

export interface JsonReply<T = unknown> {
  status: number;
  body: T;
}

/** Calls the admin API. */
export async function adminCall<T = unknown>(url: string, method: string, path: string, body?: unknown): Promise<JsonReply<T>> {
  const res = await fetch(`${url}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function injectFault(url: string, spec: Record<string, unknown>): Promise<{ id: string }> {
  const reply = await adminCall<{ id: string }>(url, 'POST', '/faults', spec);
  expect(reply.status).toBe(201);
  return reply.body;
}

export async function callCounts(url: string): Promise<Record<string, number>> {
  return (await adminCall<Record<string, number>>(url, 'GET', '/calls')).body;
}

export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends a raw awsQuery request (form body, as the SDK would, unless told otherwise). */
export async function rawAws(url: string, body: string, init: { method?: string; contentType?: string | null; path?: string } = {}): Promise<RawReply> {
  const method = init.method ?? 'POST';
  const headers: Record<string, string> = {};
  const contentType = init.contentType === undefined ? 'application/x-www-form-urlencoded' : init.contentType;
  if (contentType !== null && method !== 'GET') headers['content-type'] = contentType;
  const res = await fetch(`${url}${init.path ?? '/'}${method === 'GET' ? `?${body}` : ''}`, {
    method,
    headers,
    // Bytes rather than a string, so fetch adds no Content-Type of its own.
    body: method === 'GET' ? undefined : new TextEncoder().encode(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The wire code of an ErrorResponse body. */
export function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}
