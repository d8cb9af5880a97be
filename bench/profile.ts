/**
 * `npm run bench:profile`: where the gateway's time goes under load. Runs the gateway (and, for
 * comparison, the bare SDK handler B, or another row of bench/run.ts but A and E) with
 * `node --cpu-prof`, loads it exactly as `npm run bench` does, cuts the profile to the measured
 * window and prints the summary of bench/profile-summary.ts in microseconds per request. Profiles
 * are left in dist/profiles/ (never committed) for Chrome DevTools or speedscope.
 *
 * Options: --targets gateway,bare (any of gateway, gateway-trusted, bare, bare-cached, aws-layer)
 *          --mixes create,read  --connections N (32)  --warmup S (15)  --duration S (10)
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MIXES, nameSource, trustedDocuments, type MixName } from './mixes';
import { formatSummary, summarise, type CpuProfile } from './profile-summary';
import { machineLine, TARGET_LABELS } from './report';
import { Measurement, type LoadSettings } from './scenario';
import { BASELINE_OF, canPin, DIST, freePort, pin, PINNING, startBaseline, startEmulator, startGateway, type ServerProcess } from './servers';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'gateway,bare' },
    mixes: { type: 'string', default: MIXES.join(',') },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '15' },
    duration: { type: 'string', default: '10' },
    top: { type: 'string', default: '15' },
  },
});

const PROFILE_DIR = join(DIST, 'profiles');
const PROFILE_TARGETS = ['gateway', 'gateway-trusted', 'bare', 'bare-cached', 'aws-layer'] as const;
type ProfileTarget = (typeof PROFILE_TARGETS)[number];
const log = (message: string) => process.stderr.write(`[bench:profile] ${message}\n`);

async function main(): Promise<void> {
  const targets = values.targets.split(',').map((t) => {
    if (!(PROFILE_TARGETS as readonly string[]).includes(t)) throw new Error(`--targets takes ${PROFILE_TARGETS.join(', ')}, not ${t}`);
    return t as ProfileTarget;
  });
  const manifest = join(mkdtempSync(join(tmpdir(), 'bench-profile-')), 'trusted-documents.json');
  writeFileSync(manifest, JSON.stringify(trustedDocuments()));
  const mixes = values.mixes.split(',') as MixName[];
  const settings: LoadSettings = { connections: Number(values.connections), nextName: nameSource() };
  mkdirSync(PROFILE_DIR, { recursive: true });
  process.stdout.write(`machine: ${machineLine()}\nload: ${settings.connections} connections, ${values.duration} s measured\n`);

  const pinned = canPin();
  if (pinned) pin(process.pid, PINNING.restCpu);
  const emulator = await startEmulator(await freePort());
  if (pinned) pin(emulator.pid, PINNING.restCpu);
  try {
    for (const mix of mixes) {
      for (const target of targets) {
        const name = `${target}-${mix}`;
        for (const file of readdirSync(PROFILE_DIR)) if (file.startsWith(`${name}.`)) rmSync(join(PROFILE_DIR, file));
        const nodeOptions = ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`];
        const server: ServerProcess =
          target !== 'gateway' && target !== 'gateway-trusted'
            ? await startBaseline(BASELINE_OF[target], await freePort(), emulator.url, nodeOptions)
            : await startGateway(await freePort(), emulator.url, { nodeOptions, ...(target === 'gateway-trusted' ? { env: { TRUSTED_DOCUMENTS_FILE: manifest } } : {}) });
        if (pinned) pin(server.pid, PINNING.serverCpu);
        log(`${name}: profiling pid ${server.pid}${pinned ? ` on CPU ${PINNING.serverCpu}` : ''}`);
        const window: { from?: number; to?: number } = {};
        const measurement = new Measurement(mix, target, server, emulator, settings);
        try {
          await measurement.warmUp(Number(values.warmup));
          await measurement.slice(Number(values.duration), async (edge) => {
            const { monotonicUs } = await server.usage();
            if (edge === 'start') window.from = monotonicUs;
            else window.to = monotonicUs;
          });
        } finally {
          await server.stop();
        }
        const result = measurement.result();
        const profile = JSON.parse(readFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), 'utf8')) as CpuProfile;
        const summary = summarise(profile, window);
        process.stdout.write(
          `\n## ${TARGET_LABELS[target]}, ${mix} mix (${result.requestsPerSecond.toFixed(0)} req/s under the profiler, ` +
            `${result.cpuUsPerRequest.toFixed(0)} µs CPU/req by process.cpuUsage)\n\n`,
        );
        process.stdout.write(`${formatSummary(summary, result.requests, { top: Number(values.top) })}\n`);
        log(`${name}: ${join(PROFILE_DIR, `${name}.cpuprofile`)}`);
      }
    }
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:profile] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
