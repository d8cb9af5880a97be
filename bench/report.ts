/** The benchmark's figures: one table row per server and mix, then the ratios against B and B-cached. */
import { cpus, totalmem } from 'node:os';
import type { MixName, Target } from './mixes';

export interface ScenarioResult {
  mix: MixName;
  target: Target;
  /** 2xx responses in the measured slices. */
  requests: number;
  failed: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The server's own CPU time (user + system, all its threads) per completed request, µs. */
  cpuUsPerRequest: number;
  /** The server's CPU time, in cores (1 = one core fully busy). */
  cpuCores: number;
  /** The server process's peak RSS, MB (for the emulator: its peak over the run so far). */
  peakRssMb: number;
  /** AWS API calls the emulator received per request (undefined for the emulator itself). */
  upstreamCallsPerRequest: number | undefined;
  upstreamCalls: Record<string, number>;
  /** The emulator's CPU time per request, and in cores, while it served this server. */
  emulatorCpuUsPerRequest: number | undefined;
  emulatorCores: number | undefined;
  /** The load generator's CPU, in cores. */
  loadgenCores: number;
  /** The whole machine's busy CPU, in cores, and what of it none of the above used (other processes). */
  machineCores: number | undefined;
  otherCores: number | undefined;
  /** The gateway's own count (`elasticache_upstream_calls_total`) per request, by outcome. */
  gatewayCallsPerRequest?: Record<string, number>;
  /** Each measured slice on its own (B and C alternate slices). */
  slices: { requestsPerSecond: number; cpuUsPerRequest: number }[];
}

export interface RunInfo {
  connections: number;
  warmupSeconds: number;
  sliceSeconds: number;
  rounds: number;
  referenceSeconds: number;
  pinned: boolean;
  startedAt: Date;
  totalSeconds?: number;
}

export const TARGET_LABELS: Record<Target, string> = {
  static: 'A static node:http',
  bare: 'B node:http + SDK',
  'bare-cached': 'B-cached node:http + SDK, cacheMiddleware',
  'aws-layer': "D node:http + the gateway's AWS layer",
  gateway: 'C gateway',
  'gateway-trusted': 'C-trusted gateway, documentId',
  'gateway-api-key': 'C-api-key gateway, x-api-key',
  emulator: 'E emulator alone',
};

const TARGET_ORDER: Target[] = ['static', 'bare', 'bare-cached', 'aws-layer', 'gateway', 'gateway-trusted', 'gateway-api-key', 'emulator'];

/** What the gateway must reach against the best bare proxy (B-cached), by mix. */
export const GOALS: Record<MixName, number> = { create: 0.9, read: 0.9, 'hot-read': 3 };

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

const fixed = (n: number | undefined, digits: number) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));

export function machineLine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} CPUs (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

export function table(results: ScenarioResult[]): string {
  const header = [
    'mix',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'CPU cores',
    'peak RSS MB',
    'upstream calls/req',
    'emulator µs/req',
    'emulator cores',
    'loadgen cores',
    'other cores',
    'failed',
  ];
  const rows = [...results]
    .sort((a, b) => (a.mix === b.mix ? TARGET_ORDER.indexOf(a.target) - TARGET_ORDER.indexOf(b.target) : a.mix < b.mix ? -1 : 1))
    .map((r) => [
      r.mix,
      TARGET_LABELS[r.target],
      fixed(r.requestsPerSecond, 0),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(r.cpuUsPerRequest, 0),
      fixed(r.cpuCores, 2),
      fixed(r.peakRssMb, 0),
      fixed(r.upstreamCallsPerRequest, 2),
      fixed(r.emulatorCpuUsPerRequest, 0),
      fixed(r.emulatorCores, 2),
      fixed(r.loadgenCores, 2),
      fixed(r.otherCores, 2),
      String(r.failed),
    ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_h, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function ratios(results: ScenarioResult[]): string {
  const lines: string[] = [];
  const mixes = [...new Set(results.map((r) => r.mix))];
  for (const mix of mixes) {
    const get = (target: Target) => results.find((r) => r.mix === mix && r.target === target);
    const [a, b, bc, d, e] = [get('static'), get('bare'), get('bare-cached'), get('aws-layer'), get('emulator')];
    const gateways = (['gateway', 'gateway-trusted', 'gateway-api-key'] as const).flatMap((target) => get(target) ?? []);
    lines.push(`${mix}:`);
    const versus = (c: ScenarioResult, base: ScenarioResult | undefined) => {
      if (base === undefined) return '—';
      const rounds = c.slices.flatMap((s, i) => (base.slices[i] ? [s.requestsPerSecond / base.slices[i].requestsPerSecond] : []));
      return `${(c.requestsPerSecond / base.requestsPerSecond).toFixed(2)}× (rounds ${rounds.map((r) => r.toFixed(2)).join(' ')}, median ${median(rounds).toFixed(2)}), CPU ${signed(c.cpuUsPerRequest - base.cpuUsPerRequest)} µs/req`;
    };
    if (d) lines.push(`  ${TARGET_LABELS[d.target]}: ×B-cached ${versus(d, bc)}; upstream calls/req ${fixed(d.upstreamCallsPerRequest, 2)}`);
    for (const c of gateways) {
      lines.push(`  ${TARGET_LABELS[c.target]}: ×B ${versus(c, b)}; ×B-cached ${versus(c, bc)}; upstream calls/req ${fixed(c.upstreamCallsPerRequest, 2)}`);
    }
    const best = [...gateways].sort((x, y) => y.requestsPerSecond - x.requestsPerSecond)[0];
    if (best && bc) {
      const ratio = best.requestsPerSecond / bc.requestsPerSecond;
      lines.push(`  goal: the best gateway row ≥ ${GOALS[mix]}× B-cached: ${TARGET_LABELS[best.target]} at ${ratio.toFixed(2)}× (${ratio >= GOALS[mix] ? 'met' : 'NOT met'})`);
      // Each server keeps its core about as busy as the others (the CPU cores column), so req/s goes
      // about as 1 / CPU per request, and the goal reads as a CPU budget. About: CPU per request
      // also falls a little as load rises (fewer wake-ups), and D is a smaller process than C.
      const budget = bc.cpuUsPerRequest / GOALS[mix];
      const layer = d
        ? `; D (B-cached's handler on the gateway's AWS layer) ${d.cpuUsPerRequest.toFixed(0)}, so about ${signed(budget - d.cpuUsPerRequest)} µs/req are left for what the gateway adds above that layer, which costs about ${signed(best.cpuUsPerRequest - d.cpuUsPerRequest)} in the best row`
        : '';
      lines.push(`  the goal as CPU, roughly: ≤ ${budget.toFixed(0)} µs/req (B-cached ${bc.cpuUsPerRequest.toFixed(0)} / ${GOALS[mix]}); the best gateway row ${best.cpuUsPerRequest.toFixed(0)}${layer}`);
    }
    const plain = get('gateway');
    const keyed = get('gateway-api-key');
    if (plain && keyed) {
      lines.push(`  API-key authentication costs ${signed(keyed.cpuUsPerRequest - plain.cpuUsPerRequest)} µs CPU/req (C-api-key/C req/s ${(keyed.requestsPerSecond / plain.requestsPerSecond).toFixed(2)})`);
    }
    if (a && b && plain) {
      lines.push(`  B/A req/s = ${(b.requestsPerSecond / a.requestsPerSecond).toFixed(3)}, C/A req/s = ${(plain.requestsPerSecond / a.requestsPerSecond).toFixed(3)}`);
    }
    if (e && plain) {
      lines.push(
        `  emulator alone: ${e.requestsPerSecond.toFixed(0)} req/s = ${(e.requestsPerSecond / plain.requestsPerSecond).toFixed(1)}× what C asked of it, ` +
          `${(e.requestsPerSecond / (bc?.requestsPerSecond ?? Number.NaN)).toFixed(1)}× B-cached; busy ${fixed(plain.emulatorCores, 2)} cores during C, ${fixed(bc?.emulatorCores, 2)} during B-cached`,
      );
    }
    for (const c of gateways) {
      if (!c.gatewayCallsPerRequest) continue;
      const counted = Object.entries(c.gatewayCallsPerRequest)
        .map(([outcome, n]) => `${outcome} ${n.toFixed(2)}`)
        .join(', ');
      lines.push(`  ${TARGET_LABELS[c.target]} /metrics elasticache_upstream_calls_total per request: ${counted || 'none'}`);
    }
  }
  return lines.join('\n');
}

/** +12, -3, and +0 (not -0) for what rounds to nothing. */
const signed = (n: number) => {
  const rounded = Math.round(n) || 0;
  return `${rounded >= 0 ? '+' : ''}${rounded}`;
};

export function header(info: RunInfo): string {
  return [
    `machine: ${machineLine()}`,
    `load: autocannon, ${info.connections} connections, no pipelining (closed loop: every server runs flat out); ` +
      `B, D and C rows warmed up ${info.warmupSeconds} s each, then measured in ${info.rounds} rounds of ${info.sliceSeconds} s (order turning each round); A and E measured once for ${info.referenceSeconds} s`,
    info.pinned
      ? 'pinned: the server under test alone on CPU 1; the load generator and the emulator on CPU 0'
      : 'not pinned: every process may run on every CPU',
    `started ${info.startedAt.toISOString()}${info.totalSeconds === undefined ? '' : `, whole run ${info.totalSeconds.toFixed(0)} s`}`,
  ].join('\n');
}
