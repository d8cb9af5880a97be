/**
 * Measuring one server on one mix. A measurement is made of slices: before each, the emulator is
 * put back in its seed state; during each, the load runs while the server and the emulator report
 * their own CPU time and the emulator counts the AWS calls it received. B and C are measured in
 * alternating slices (B C, C B, B C…) so that drift in what else the machine is doing falls on
 * both alike; the slices of one server are then added up.
 */
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkOnce, runLoad, type LoadResult } from './load';
import { createReadTargets, requestFor, type MixName, type RequestShape, type Target } from './mixes';
import type { ScenarioResult } from './report';
import type { ServerProcess } from './servers';

export interface LoadSettings {
  connections: number;
  nextName: () => string;
}

/** One measured slice of one server. */
export interface Slice {
  load: LoadResult;
  serverCpuMicros: number;
  serverSeconds: number;
  emulatorCpuMicros: number;
  peakRssKb: number;
  upstreamCalls: Record<string, number>;
  /** Deltas of the gateway's `elasticache_upstream_calls_total`, by outcome. */
  gatewayCalls?: Record<string, number>;
}

async function emulatorAdmin(emulator: ServerProcess, method: 'GET' | 'POST' | 'DELETE', path: string): Promise<unknown> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, { method });
  const text = await response.text();
  if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${text}`);
  return text.trim() === '' ? undefined : JSON.parse(text);
}

/**
 * Back to the seed state before every slice: the emulator's create gets slower as snapshots pile
 * up (its quota check counts a cache's snapshots), so every slice starts from the same store.
 */
export async function prepareEmulator(emulator: ServerProcess, mix: MixName): Promise<void> {
  await emulatorAdmin(emulator, 'POST', 'reset');
  await createReadTargets(emulator.url, mix);
}

/** The gateway's `elasticache_upstream_calls_total`, summed by outcome, from its metrics listener. */
async function gatewayUpstreamCalls(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^elasticache_upstream_calls_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const outcome = /outcome="([^"]*)"/.exec(m[1] ?? '')?.[1] ?? 'unknown';
    counts[outcome] = (counts[outcome] ?? 0) + Number(m[2]);
  }
  return counts;
}

const cpuMicros = (cpu: NodeJS.CpuUsage) => cpu.user + cpu.system;

/** A server under test on one mix: checked once, warmed up, then measured slice by slice. */
export class Measurement {
  readonly slices: Slice[] = [];
  private readonly request: RequestShape;

  constructor(
    readonly mix: MixName,
    readonly target: Target,
    readonly server: ServerProcess,
    private readonly emulator: ServerProcess,
    private readonly settings: LoadSettings,
  ) {
    this.request = requestFor(mix, target, settings.nextName);
  }

  private load(durationSeconds: number): Promise<LoadResult> {
    return runLoad({ url: this.server.url, request: this.request, connections: this.settings.connections, durationSeconds });
  }

  /**
   * A first request must answer correctly; then the warm-up (JIT, connection pools), not counted.
   * It runs as slices, like the measurement: the first slice after a plain load ran about 20 %
   * slower on the gateway whatever the warm-up's length, for its first two seconds or so.
   */
  async warmUp(seconds: number): Promise<void> {
    await prepareEmulator(this.emulator, this.mix);
    await checkOnce(this.server.url, this.request);
    await this.slice(seconds / 2);
    await this.slice(seconds / 2);
    this.slices.length = 0;
  }

  /** One measured slice; `onWindow` is called as it starts and ends (the profile run uses it). */
  async slice(seconds: number, onWindow?: (edge: 'start' | 'end') => Promise<void>): Promise<Slice> {
    const { server, emulator } = this;
    await prepareEmulator(emulator, this.mix);
    await emulatorAdmin(emulator, 'DELETE', 'calls');
    const metricsUrl = server.metricsUrl;
    const metricsBefore = metricsUrl === undefined ? undefined : await gatewayUpstreamCalls(metricsUrl);
    const [serverBefore, emulatorBefore] = await Promise.all([server.usage(), emulator.usage()]);
    await onWindow?.('start');
    const load = await this.load(seconds);
    await onWindow?.('end');
    const [serverAfter, emulatorAfter] = await Promise.all([server.usage(), emulator.usage()]);
    // Requests still in flight when the time was up reach the emulator a little later.
    await sleep(250);
    const upstreamCalls = (await emulatorAdmin(emulator, 'GET', 'calls')) as Record<string, number>;
    const metricsAfter = metricsUrl === undefined ? undefined : await gatewayUpstreamCalls(metricsUrl);

    let gatewayCalls: Record<string, number> | undefined;
    if (metricsBefore && metricsAfter) {
      gatewayCalls = {};
      for (const [outcome, n] of Object.entries(metricsAfter)) gatewayCalls[outcome] = n - (metricsBefore[outcome] ?? 0);
    }
    const slice: Slice = {
      load,
      serverCpuMicros: cpuMicros(serverAfter.cpu) - cpuMicros(serverBefore.cpu),
      serverSeconds: (serverAfter.monotonicUs - serverBefore.monotonicUs) / 1e6,
      emulatorCpuMicros: cpuMicros(emulatorAfter.cpu) - cpuMicros(emulatorBefore.cpu),
      peakRssKb: serverAfter.maxRssKb,
      upstreamCalls,
      ...(gatewayCalls ? { gatewayCalls } : {}),
    };
    this.slices.push(slice);
    return slice;
  }

  /** The slices added up into one row of the table. */
  result(): ScenarioResult {
    return combine(this.mix, this.target, this.slices, this.server === this.emulator);
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function combine(mix: MixName, target: Target, slices: Slice[], isEmulator: boolean): ScenarioResult {
  const ok = sum(slices.map((s) => s.load.ok));
  const requests = Math.max(1, ok);
  const seconds = sum(slices.map((s) => s.load.seconds));
  const serverSeconds = sum(slices.map((s) => s.serverSeconds));
  const serverCpu = sum(slices.map((s) => s.serverCpuMicros));
  const emulatorCpu = sum(slices.map((s) => s.emulatorCpuMicros));
  const loadgenCpu = sum(slices.map((s) => s.load.loadgenCpuMicros));
  const sent = sum(slices.map((s) => s.load.sent));

  const latencies = new Float64Array(ok);
  let at = 0;
  for (const s of slices) {
    latencies.set(s.load.latenciesMs, at);
    at += s.load.latenciesMs.length;
  }
  latencies.sort();

  const calls: Record<string, number> = {};
  for (const s of slices) for (const [action, n] of Object.entries(s.upstreamCalls)) calls[action] = (calls[action] ?? 0) + n;
  let gatewayCallsPerRequest: Record<string, number> | undefined;
  for (const s of slices) {
    if (!s.gatewayCalls) continue;
    gatewayCallsPerRequest ??= {};
    for (const [outcome, n] of Object.entries(s.gatewayCalls)) gatewayCallsPerRequest[outcome] = (gatewayCallsPerRequest[outcome] ?? 0) + n;
  }
  if (gatewayCallsPerRequest) for (const outcome of Object.keys(gatewayCallsPerRequest)) gatewayCallsPerRequest[outcome]! /= Math.max(1, sent);

  const machineBusy = sum(slices.map((s) => s.load.machine?.busy ?? 0));
  const machineTotal = sum(slices.map((s) => s.load.machine?.total ?? 0));
  const machineCores = machineTotal > 0 ? (machineBusy / machineTotal) * cpus().length : undefined;
  const serverCores = serverCpu / 1e6 / serverSeconds;
  const emulatorCores = emulatorCpu / 1e6 / serverSeconds;
  const loadgenCores = loadgenCpu / 1e6 / seconds;

  return {
    mix,
    target,
    requests: ok,
    failed: sum(slices.map((s) => s.load.failed)),
    seconds,
    requestsPerSecond: ok / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuUsPerRequest: serverCpu / requests,
    cpuCores: serverCores,
    peakRssMb: Math.max(...slices.map((s) => s.peakRssKb)) / 1024,
    // Divided by the requests sent: those still in flight at the end made their call too.
    upstreamCallsPerRequest: isEmulator ? undefined : sum(Object.values(calls)) / Math.max(1, sent),
    upstreamCalls: calls,
    emulatorCpuUsPerRequest: isEmulator ? undefined : emulatorCpu / requests,
    emulatorCores: isEmulator ? undefined : emulatorCores,
    loadgenCores,
    machineCores,
    otherCores: machineCores === undefined ? undefined : machineCores - serverCores - (isEmulator ? 0 : emulatorCores) - loadgenCores,
    ...(gatewayCallsPerRequest ? { gatewayCallsPerRequest } : {}),
    slices: slices.map((s) => ({ requestsPerSecond: s.load.ok / s.load.seconds, cpuUsPerRequest: s.serverCpuMicros / Math.max(1, s.load.ok) })),
  };
}
