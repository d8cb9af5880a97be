/**
 * Several gateway processes sharing one standalone emulator process and one Redis, as `npm run
 * cluster` starts them: each replica its own process (src/main.ts), against the emulator as its
 * "AWS" endpoint.
 */
import { startProcess, stopProcess, type GatewayProcess } from './process';

export interface Replica {
  url: string;
  metricsUrl: string;
  process: GatewayProcess;
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } }>;
  /** A metric's value (summed over its labels), read from the replica's /metrics. */
  metric(name: string): Promise<number>;
}

export interface Emulator {
  url: string;
  process: GatewayProcess;
  /** AWS API calls the emulator has answered so far, by action. */
  calls(): Promise<Record<string, number>>;
}

export async function startEmulatorProcess(env: Record<string, string> = {}): Promise<Emulator> {
  const started = startProcess({ EMULATOR_PORT: '0', ...env }, 'src/emulator/main.ts');
  const line = await started.line((l) => typeof l.url === 'string');
  const url = String(line.url);
  return {
    url,
    process: started,
    calls: async () => (await (await fetch(`${url}/_emulator/calls`)).json()) as Record<string, number>,
  };
}

export async function startReplica(emulatorUrl: string, env: Record<string, string>): Promise<Replica> {
  const started = startProcess({
    ELASTICACHE_BACKEND: 'aws',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_ELASTICACHE: emulatorUrl,
    AWS_ACCESS_KEY_ID: 'EMULATOR',
    AWS_SECRET_ACCESS_KEY: 'EMULATOR',
    AUTH_DISABLED: 'true',
    // Callers are told apart by X-Forwarded-For, so each test has a caller of its own.
    TRUSTED_PROXIES: 'loopback',
    AWS_MAX_ATTEMPTS: '2',
    UPSTREAM_REQUEST_TIMEOUT_MS: '1000',
    UPSTREAM_CALL_DEADLINE_MS: '5000',
    ...env,
  });
  const ready = await started.line((l) => l.msg === 'gateway ready');
  const url = String(ready.url).replace(/\/graphql$/, '');
  const metricsUrl = String(ready.metrics);
  return {
    url,
    metricsUrl,
    process: started,
    async graphql(query, variables, headers = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as never };
    },
    async metric(name) {
      const text = await (await fetch(`${metricsUrl}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    },
  };
}

export async function stopAll(processes: (GatewayProcess | undefined)[]): Promise<void> {
  await Promise.all(processes.filter((p): p is GatewayProcess => p !== undefined).map((p) => stopProcess(p)));
}

/** Waits until `check` holds, looking every 50 ms, for at most `withinMs`. */
export async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
