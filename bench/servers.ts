/**
 * The processes under test: each server (static, bare SDK handler, gateway, emulator) runs in a
 * child process of its own, on loopback, with the probe preloaded so it reports its own CPU time
 * and peak RSS. Only compiled JavaScript is run (dist/), as in production.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { Target } from './mixes';
import type { Usage } from './probe';

/** dist/, where `npm run build` and `tsc -p tsconfig.bench.json` put the compiled code. */
export const DIST = resolve(__dirname, '..');
const PROBE = join(DIST, 'bench', 'probe.js');

export const LOOPBACK = '127.0.0.1';
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_TAIL_LINES = 40;

export interface ChildOptions {
  name: string;
  /** Script under dist/, e.g. `src/main.js`. */
  script: string;
  args?: string[];
  env: Record<string, string>;
  /** Extra node options, e.g. `--cpu-prof`. */
  nodeOptions?: string[];
  /** A GET path that answers 200 once the server is ready. */
  readyPath: string;
  port: number;
}

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** `gc`: collect garbage first, when the process runs with `--expose-gc`. */
  usage(options?: { gc?: boolean }): Promise<Usage>;
  /** The last lines the process wrote to stdout (its log), for diagnosis. */
  output(): string[];
  /** SIGTERM, then SIGKILL if it has not exited in time. Resolves with the exit code. */
  stop(): Promise<number | null>;
  /** The gateway's metrics listener (`METRICS_PORT`), apart from its public port. */
  readonly metricsUrl?: string;
}

/** A free TCP port on loopback (the kernel's choice; released again for the child to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * The environment of a child: only what it is given, plus PATH. Nothing of the caller's AWS
 * configuration leaks in, and the SDK finds no shared config or credentials files.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NODE_ENV: 'production',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    ...env,
  };
}

export async function startServer(options: ChildOptions): Promise<ServerProcess> {
  const child: ChildProcess = fork(join(DIST, options.script), options.args ?? [], {
    execArgv: ['-r', PROBE, ...(options.nodeOptions ?? [])],
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} did not start`);

  const tail: string[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    tail.push(...lines.filter((l) => l.trim() !== ''));
    if (tail.length > OUTPUT_TAIL_LINES) tail.splice(0, tail.length - OUTPUT_TAIL_LINES);
  });

  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal === null ? null : -1);
      done(exitCode);
    });
  });

  let nextId = 1;
  const pending = new Map<number, (usage: Usage) => void>();
  child.on('message', (message: Usage) => {
    if (message.type !== 'usage') return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });

  const url = `http://${LOOPBACK}:${options.port}`;
  const server: ServerProcess = {
    name: options.name,
    url,
    pid,
    usage(collect = {}) {
      if (exitCode !== undefined) return Promise.reject(new Error(`${options.name} has exited (${String(exitCode)})`));
      const id = nextId++;
      return new Promise<Usage>((done, fail) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          fail(new Error(`${options.name} did not report its usage`));
        }, 5_000);
        pending.set(id, (usage) => {
          clearTimeout(timer);
          done(usage);
        });
        child.send({ type: 'usage', id, gc: collect.gc === true });
      });
    },
    output: () => [...tail],
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${options.name} exited during start-up (${String(exitCode)}):\n${tail.join('\n')}`);
    }
    try {
      const response = await fetch(url + options.readyPath, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${options.name} was not ready within ${READY_TIMEOUT_MS} ms:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * CPU pinning (Linux `taskset`, all threads of the process): the server under test gets a core of
 * its own (CPU 1), and the load generator and the emulator share the other (CPU 0), as the gateway
 * would have its own core in production with AWS and its clients elsewhere. Without it, three busy
 * processes on two cores take turns on both, and every figure depends on how the scheduler mixed
 * them. Off with fewer than two CPUs or without taskset.
 */
export const PINNING = { serverCpu: 1, restCpu: 0 } as const;

export function canPin(): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** Dummy credentials for the SDK (the emulator does not check signatures). */
export const SDK_ENV = {
  // The bare handler authenticates no one; the gateway under test does the same, as it would behind
  // an authenticating proxy, so the figures compare like with like.
  AUTH_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'BENCHMARK',
  AWS_SECRET_ACCESS_KEY: 'BENCHMARK',
  // The SDK must never try the EC2 metadata address: traffic stays on loopback.
  AWS_EC2_METADATA_DISABLED: 'true',
  // The SDK's notice (on stderr) that its 2027 releases will need Node 22: true, and noise here.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export function startEmulator(port: number, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServer({
    name: 'emulator',
    script: 'src/emulator/main.js',
    env: {
      EMULATOR_HOST: LOOPBACK,
      EMULATOR_PORT: String(port),
      AWS_REGION: 'us-east-1',
      // Every create of the run is on one cache; AWS's quota of 24 a day would stop it at once.
      EMULATOR_DAILY_SNAPSHOT_QUOTA: '1000000000',
      ...env,
    },
    readyPath: '/_emulator/health',
    port,
  });
}

/**
 * The gateway's limits, set out of the way: all load comes from one address, and a benchmark that
 * meets the rate limiter or the per-caller share of AWS connections measures them, not the gateway.
 */
const LIMITS_OUT_OF_THE_WAY = {
  RATE_LIMIT_MUTATIONS_PER_MINUTE: '1000000000',
  RATE_LIMIT_READ_COST_PER_MINUTE: '1000000000',
  UPSTREAM_MAX_CONCURRENCY_PER_PRINCIPAL: '1000',
};

/** The gateway exactly as `npm start` runs it (dist/src/main.js), on AWS mode against the emulator. */
export async function startGateway(
  port: number,
  emulatorUrl: string,
  options: { nodeOptions?: string[]; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const metricsPort = await freePort();
  const server = await startServer({
    name: 'gateway',
    script: 'src/main.js',
    env: {
      ...SDK_ENV,
      ELASTICACHE_BACKEND: 'aws',
      AWS_ENDPOINT_URL_ELASTICACHE: emulatorUrl,
      HOST: LOOPBACK,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      ...LIMITS_OUT_OF_THE_WAY,
      ...options.env,
    },
    ...(options.nodeOptions ? { nodeOptions: options.nodeOptions } : {}),
    readyPath: '/health',
    port,
  });
  return Object.assign(server, { metricsUrl: `http://${LOOPBACK}:${metricsPort}` });
}

/** The handlers bench/baseline-server.ts serves, by the name it is started with. */
export type BaselineKind = 'static' | 'sdk' | 'sdk-cached' | 'aws-layer';

/** The baseline each row that is one runs: A, B, B-cached and D. */
export const BASELINE_OF = { static: 'static', bare: 'sdk', 'bare-cached': 'sdk-cached', 'aws-layer': 'aws-layer' } as const satisfies Partial<Record<Target, BaselineKind>>;

/** A baseline (bench/baseline-server.ts) in a process of its own. */
export function startBaseline(kind: BaselineKind, port: number, emulatorUrl: string, nodeOptions?: string[]): Promise<ServerProcess> {
  return startServer({
    ...(nodeOptions ? { nodeOptions } : {}),
    name: kind === 'sdk' || kind === 'sdk-cached' ? `bare-${kind}` : kind,
    script: 'bench/baseline-server.js',
    args: [kind],
    // D reads the gateway's configuration as the gateway does; the others ignore what is not theirs.
    env: { ...SDK_ENV, ELASTICACHE_BACKEND: 'aws', AWS_ENDPOINT_URL_ELASTICACHE: emulatorUrl, HOST: LOOPBACK, PORT: String(port), LOG_LEVEL: 'warn', ...LIMITS_OUT_OF_THE_WAY },
    readyPath: '/health',
    port,
  });
}
