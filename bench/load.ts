/**
 * The load: autocannon, run in the benchmark's own process (separate from every server), with a
 * fixed number of keep-alive connections, each sending its next request when the last one is
 * answered (closed loop, no pipelining). Latencies are taken from autocannon's per-response event
 * at full precision (its own histogram keeps whole milliseconds only).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { RequestShape } from './mixes';

export interface LoadOptions {
  url: string;
  request: RequestShape;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  /** 2xx responses. */
  ok: number;
  /** Non-2xx responses, connection errors and timeouts. */
  failed: number;
  /** Requests written, answered or not (some are still in flight when the time is up). */
  sent: number;
  seconds: number;
  /** Response times of the 2xx responses, milliseconds, unsorted. */
  latenciesMs: Float64Array;
  /** CPU time the load generator (this process) used, microseconds. */
  loadgenCpuMicros: number;
  /** The whole machine's busy and total CPU time over the run (all cores, jiffies), from /proc/stat. */
  machine: { busy: number; total: number } | undefined;
}

/** Busy and total jiffies of all cores together, or undefined off Linux. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const total = cpu.reduce((a, b) => a + b, 0);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export async function runLoad({ url, request, connections, durationSeconds }: LoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 15);
  let ok = 0;
  let failed = 0;

  const options: autocannon.Options = {
    url,
    connections,
    pipelining: 1,
    duration: durationSeconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: request.path,
        headers: request.headers,
        setupRequest: (req) => ({ ...req, body: request.body() }),
      },
    ],
  };
  const ticksBefore = machineTicks();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((done, fail) => {
    instance = autocannon(options, (err: unknown, result) => (err instanceof Error ? fail(err) : err ? fail(new Error('autocannon failed')) : done(result)));
  });
  instance?.on('response', (_client, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode < 200 || statusCode > 299) {
      failed++;
      return;
    }
    if (ok === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[ok++] = responseTime;
  });
  const result = await finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const ticksAfter = machineTicks();

  return {
    ok,
    failed: failed + result.errors,
    sent: result.requests.sent,
    seconds,
    latenciesMs: latencies.slice(0, ok),
    loadgenCpuMicros: cpu.user + cpu.system,
    machine: ticksBefore && ticksAfter ? { busy: ticksAfter.busy - ticksBefore.busy, total: ticksAfter.total - ticksBefore.total } : undefined,
  };
}

/** One request, answered and checked, before any load: a wrong answer stops the benchmark. */
export async function checkOnce(url: string, request: RequestShape): Promise<void> {
  const response = await fetch(url + request.path, { method: 'POST', headers: request.headers, body: request.body() });
  const text = await response.text();
  if (!response.ok || !request.expect.test(text)) {
    throw new Error(`${url}${request.path} answered ${response.status} ${text.slice(0, 500)}; expected ${String(request.expect)}`);
  }
}
