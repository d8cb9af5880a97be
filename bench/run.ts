/**
 * `npm run bench`: the gateway's cost per request, side by side with the bare SDK, in one run.
 *
 * One emulator process serves the whole run. A (static node:http) is measured once; then, for each
 * mix, E (the emulator alone), and B (bare node:http + SDK), D (the same on the gateway's AWS
 * layer) and C (the gateway) in alternating slices, each server in a fresh process of its own.
 * Prints a Markdown table and the ratios; `--json FILE` also writes every figure.
 *
 * Options: --connections N (32)  --warmup S (10)  --slice S (2)  --rounds N (8)  --reference S (8)
 *          --mixes create,read  --unpinned  --json FILE
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../src/auth/api-keys';
import { parseArgs } from 'node:util';
import { BENCH_API_KEY, MIXES, nameSource, trustedDocuments, type MixName, type Target } from './mixes';
import { header, ratios, table, TARGET_LABELS, type RunInfo, type ScenarioResult } from './report';
import { Measurement, type LoadSettings } from './scenario';
import { BASELINE_OF, canPin, freePort, pin, PINNING, startBaseline, startEmulator, startGateway, type ServerProcess } from './servers';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '10' },
    slice: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '8' },
    reference: { type: 'string', default: '8' },
    mixes: { type: 'string', default: MIXES.join(',') },
    unpinned: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${value}`);
  return n;
}

/** A and E run little code: a short warm-up is enough. */
const REFERENCE_WARMUP_SECONDS = 4;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** The mix the API-key row runs in (one is enough to show what authentication costs). */
const API_KEY_MIX: MixName = 'read';

/** The C-trusted row's manifest and the C-api-key row's key file, written once for the run. */
function writeFiles(): { trustedDocuments: string; apiKeys: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const files = { trustedDocuments: join(dir, 'trusted-documents.json'), apiKeys: join(dir, 'api-keys.json') };
  writeFileSync(files.trustedDocuments, JSON.stringify(trustedDocuments()));
  const key = { id: 'bench', sha256: hashApiKey(BENCH_API_KEY), scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] };
  writeFileSync(files.apiKeys, JSON.stringify([key]), { mode: 0o600 });
  return files;
}

function describe(m: Measurement): string {
  const r = m.result();
  const last = m.slices.at(-1);
  const rps = last ? last.load.ok / last.load.seconds : Number.NaN;
  const cpu = last ? last.serverCpuMicros / Math.max(1, last.load.ok) : Number.NaN;
  return `${r.mix} ${TARGET_LABELS[r.target]}: ${rps.toFixed(0)} req/s, ${cpu.toFixed(0)} µs CPU/req, ${last?.load.failed ?? 0} failed`;
}

async function main(): Promise<void> {
  const info: RunInfo = {
    connections: positive('connections', values.connections),
    warmupSeconds: positive('warmup', values.warmup),
    sliceSeconds: positive('slice', values.slice),
    rounds: positive('rounds', values.rounds),
    referenceSeconds: positive('reference', values.reference),
    pinned: !values.unpinned && canPin(),
    startedAt: new Date(),
  };
  const mixes = values.mixes.split(',').map((m) => {
    if (!(MIXES as readonly string[]).includes(m)) throw new Error(`unknown mix ${m}; the mixes are ${MIXES.join(', ')}`);
    return m as MixName;
  });
  const settings: LoadSettings = { connections: info.connections, nextName: nameSource() };
  const files = writeFiles();
  const results: ScenarioResult[] = [];
  const running = new Set<ServerProcess>();
  const start = async (starting: Promise<ServerProcess>, cpu: number = PINNING.serverCpu) => {
    const server = await starting;
    running.add(server);
    if (info.pinned) pin(server.pid, cpu);
    return server;
  };
  const stop = async (server: ServerProcess) => {
    running.delete(server);
    await server.stop();
  };

  if (info.pinned) pin(process.pid, PINNING.restCpu);
  const emulator = await start(startEmulator(await freePort()), PINNING.restCpu);
  log(`emulator (pid ${emulator.pid}) at ${emulator.url}`);
  try {
    // A: the ceiling. It does not depend on the mix: measured once, shown with each mix.
    const [firstMix] = mixes;
    if (firstMix !== undefined) {
      const server = await start(startBaseline(BASELINE_OF.static, await freePort(), emulator.url));
      const a = new Measurement(firstMix, 'static', server, emulator, settings);
      await a.warmUp(REFERENCE_WARMUP_SECONDS);
      await a.slice(info.referenceSeconds);
      log(describe(a));
      await stop(server);
      for (const mix of mixes) results.push({ ...a.result(), mix });
    }

    for (const mix of mixes) {
      // E: the emulator alone, for the same AWS call.
      // On a core of its own while it is the server under test, like the others.
      const e = new Measurement(mix, 'emulator', emulator, emulator, settings);
      if (info.pinned) pin(emulator.pid, PINNING.serverCpu);
      await e.warmUp(REFERENCE_WARMUP_SECONDS);
      await e.slice(info.referenceSeconds);
      if (info.pinned) pin(emulator.pid, PINNING.restCpu);
      log(describe(e));
      results.push(e.result());

      // B, B-cached, D and the gateway rows, all started, all warmed up, then measured in slices
      // whose order turns round by round, so drift in the machine falls on all alike.
      const rows: { target: Target; starting: () => Promise<ServerProcess> }[] = [
        { target: 'bare', starting: async () => startBaseline(BASELINE_OF.bare, await freePort(), emulator.url) },
        { target: 'bare-cached', starting: async () => startBaseline(BASELINE_OF['bare-cached'], await freePort(), emulator.url) },
        { target: 'aws-layer', starting: async () => startBaseline(BASELINE_OF['aws-layer'], await freePort(), emulator.url) },
        { target: 'gateway', starting: async () => startGateway(await freePort(), emulator.url) },
        {
          target: 'gateway-trusted',
          starting: async () => startGateway(await freePort(), emulator.url, { env: { TRUSTED_DOCUMENTS_FILE: files.trustedDocuments } }),
        },
      ];
      if (mix === API_KEY_MIX) {
        rows.push({
          target: 'gateway-api-key',
          starting: async () => startGateway(await freePort(), emulator.url, { env: { AUTH_DISABLED: 'false', AUTH_API_KEYS_FILE: files.apiKeys } }),
        });
      }
      const measured: Measurement[] = [];
      for (const row of rows) measured.push(new Measurement(mix, row.target, await start(row.starting()), emulator, settings));
      // The gateway's JIT keeps improving for 10 s or more under load; B's too, less so.
      for (const m of measured) await m.warmUp(info.warmupSeconds);
      for (let round = 0; round < info.rounds; round++) {
        const order = measured.map((_m, i) => measured[(i + round) % measured.length]!);
        for (const m of round % 2 === 0 ? order : order.reverse()) {
          await m.slice(info.sliceSeconds);
          log(`round ${round + 1}: ${describe(m)}`);
        }
      }
      for (const m of measured) {
        const lines = m.target.startsWith('gateway') ? m.server.output() : [];
        if (lines.length > 0) log(`${TARGET_LABELS[m.target]} logged ${lines.length} lines at warn or above; the last:\n${lines.slice(-5).join('\n')}`);
      }
      await Promise.all(measured.map((m) => stop(m.server)));
      results.push(...measured.map((m) => m.result()));
    }
  } finally {
    const emulatorPeak = await emulator.usage().then(
      (u) => u.maxRssKb / 1024,
      () => undefined,
    );
    await Promise.all([...running].map((s) => s.stop()));
    if (emulatorPeak !== undefined) log(`emulator peak RSS over the run: ${emulatorPeak.toFixed(0)} MB`);
  }

  info.totalSeconds = (Date.now() - info.startedAt.getTime()) / 1000;
  process.stdout.write(`${[header(info), '', table(results), '', ratios(results)].join('\n')}\n`);
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify({ info, results }, null, 2)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
