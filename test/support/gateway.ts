/**
 * Starts the real gateway on the real embedded emulator, both on loopback ports, for end-to-end
 * tests: requests go through HTTP to Fastify/Apollo, then through the real SDK to the emulator.
 */
import { Writable } from 'node:stream';
import { startBackend, type Backend } from '../../src/backend';
import { loadGatewayConfig, type GatewayConfig } from '../../src/config';
import { createElastiCacheClient } from '../../src/elasticache/client';
import { createLogger } from '../../src/logger';
import { GatewayMetrics } from '../../src/observability/metrics';
import { createGateway, type Gateway } from '../../src/server';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] };
}

export interface FaultInjection {
  action?: string;
  code?: string;
  status?: number;
  message?: string;
  /** A `Retry-After` header on the injected error: the SDK's next attempt waits about that long. */
  retryAfterSeconds?: number;
  times?: number;
  delayMs?: number;
  dropConnection?: boolean;
  /** 0 < p ≤ 1 (default 1): chance that a matching request is affected; `times` counts only those. */
  probability?: number;
  /** Run the operation and keep its change, then drop the connection or answer `code`: a lost answer. */
  afterOperation?: boolean;
}

export interface TestGateway {
  url: string;
  config: GatewayConfig;
  metrics: GatewayMetrics;
  gateway: Gateway;
  /** Every log line the gateway wrote, parsed. */
  logs: Record<string, unknown>[];
  /** A counter's values summed by one label, e.g. `counts('graphql_http_requests_by_path_total', 'path')`. */
  counts(metric: string, label: string): Promise<Record<string, number>>;
  /** POSTs a GraphQL request; `headers` carry credentials. */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  emulator: {
    url: string;
    inject(fault: FaultInjection): Promise<void>;
    calls(): Promise<Record<string, number>>;
    setCacheStatus(name: string, status: string): Promise<void>;
    reset(): Promise<void>;
    /** The emulator's record of a snapshot (its own view, not through the gateway), or null. */
    snapshot(name: string): Promise<Record<string, unknown> | null>;
    clearInjections(): Promise<void>;
  };
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  env?: Record<string, string>;
  /** Point the gateway's client at this endpoint instead of the emulator (e.g. a closed port). */
  endpointOverride?: string;
}

const BASE_ENV = {
  HOST: '127.0.0.1',
  PORT: '0',
  METRICS_PORT: '0',
  // Suites make many requests from one address; the limit tests set the limits they test.
  RATE_LIMIT_MUTATIONS_PER_MINUTE: '100000',
  RATE_LIMIT_READ_COST_PER_MINUTE: '100000000',
  LOG_LEVEL: 'info',
  // Quick retries and timeouts keep the failure tests short; the behaviour is the same.
  AWS_MAX_ATTEMPTS: '2',
  UPSTREAM_REQUEST_TIMEOUT_MS: '1000',
  UPSTREAM_CALL_DEADLINE_MS: '5000',
};

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const config = loadGatewayConfig({ ...BASE_ENV, ...options.env });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const backend: Backend = await startBackend(config, logger);
  const emulatorUrl = backend.emulator?.url ?? '';
  const elasticache =
    options.endpointOverride === undefined
      ? backend.elasticache
      : createElastiCacheClient({ ...config.upstream, endpoint: options.endpointOverride }, { accessKeyId: 'x', secretAccessKey: 'x' });
  const metrics = new GatewayMetrics();
  let gateway: Gateway;
  try {
    gateway = await createGateway({ config, logger, elasticache, metrics });
  } catch (error) {
    if (elasticache !== backend.elasticache) elasticache.destroy();
    await backend.close();
    throw error;
  }
  const url = await gateway.listen();

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulatorUrl}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`emulator admin ${method} ${path}: ${response.status} ${await response.text()}`);
    const json: unknown = await response.json();
    return json;
  };

  return {
    url,
    config,
    metrics,
    gateway,
    logs,
    async counts(metric, label) {
      const counted: Record<string, number> = {};
      for (const { labels, value } of (await metrics.registry.getSingleMetric(metric)?.get())?.values ?? []) {
        const key = String(labels[label]);
        counted[key] = (counted[key] ?? 0) + value;
      }
      return counted;
    },
    async graphql<T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<T>['body'] };
    },
    emulator: {
      url: emulatorUrl,
      inject: async (fault) => void (await admin('POST', '/faults', fault)),
      calls: async () => (await admin('GET', '/calls')) as Record<string, number>,
      setCacheStatus: async (name, status) => void (await admin('PUT', `/caches/${encodeURIComponent(name)}/status`, { status })),
      reset: async () => void (await admin('POST', '/reset')),
      snapshot: async (name) => {
        const response = await fetch(`${emulatorUrl}/_emulator/snapshots/${encodeURIComponent(name)}`);
        if (response.status === 404) return null;
        if (!response.ok) throw new Error(`emulator admin GET /snapshots/${name}: ${response.status}`);
        return (await response.json()) as Record<string, unknown>;
      },
      clearInjections: async () => void (await admin('DELETE', '/faults')),
    },
    async close() {
      await gateway.close();
      if (elasticache !== backend.elasticache) elasticache.destroy();
      await backend.close();
    },
  };
}
