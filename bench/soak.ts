/**
 * `npm run soak -- --minutes N`: the gateway as `npm start` runs it, under mixed load (creates with
 * idempotency keys, reads, subscriptions) for N minutes while the emulator (its own process) fails
 * about a tenth of AWS requests in every way the chaos test uses. Every 30 s it prints the gateway's
 * RSS and heap (after a forced GC); at the end, the memory slope and the table of what callers were
 * told against what exists. Method and figures: bench/README.md.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort, startEmulator, startGateway, type ServerProcess } from './servers';

const SAMPLE_EVERY_MS = 30_000;
const CACHES = ['demo-valkey', 'demo-redis', 'demo-memcached'];
const CREATE_WORKERS = 4;
const READ_WORKERS = 6;
const SUBSCRIBERS = 4;
/** Pause between two requests of one worker: a steady load, not a saturating one. */
const THINK_MS = { create: 150, read: 40 } as const;

const CREATE = `mutation ($input: CreateServerlessCacheSnapshotInput!) {
  createServerlessCacheSnapshot(input: $input) { __typename }
}`;
const READS = [
  `{ serverlessCacheSnapshots(first: 20) { nodes { serverlessCacheSnapshotName status serverlessCache { status } } pageInfo { hasNextPage } } }`,
  `{ serverlessCaches { nodes { serverlessCacheName status snapshots(first: 5) { nodes { status } } } } }`,
  `query ($name: String!) { serverlessCacheSnapshot(name: $name) { status createTime } }`,
];
const WATCH = `subscription ($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { status } }`;

type Told = 'success' | `fault:${string}` | `error:${string}`;

interface Action {
  id: number;
  cache: string;
  /** Each name tried, with its key and the last answer for it. */
  tries: { name: string; key: string; told: Told }[];
}

interface Sample {
  minutes: number;
  rssMb: number;
  heapMb: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function graphql(url: string, query: string, variables?: Record<string, unknown>): Promise<{ data?: Record<string, { __typename?: string } | null>; errors?: { extensions?: { code?: string } }[] }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Awaited<ReturnType<typeof graphql>>;
}

async function createOnce(url: string, action: Action, name: string, key: string): Promise<Told> {
  const body = await graphql(url, CREATE, {
    input: { serverlessCacheSnapshotName: name, serverlessCacheName: action.cache, idempotencyKey: key, tags: [{ key: 'action', value: String(action.id) }] },
  });
  const result = body.data?.createServerlessCacheSnapshot;
  if (result?.__typename === 'CreateServerlessCacheSnapshotSuccess') return 'success';
  if (result?.__typename !== undefined) return `fault:${result.__typename}`;
  return `error:${body.errors?.[0]?.extensions?.code ?? 'none'}`;
}

/** One user action: retried with its key while the outcome is unknown, under a new name after a definite failure. */
async function act(url: string, action: Action, settle: boolean): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const tried = { name: `soak-${action.id}-${attempt}`, key: randomUUID(), told: 'error:none' as Told };
    action.tries.push(tried);
    tried.told = await createOnce(url, action, tried.name, tried.key);
    for (let again = 0; settle && tried.told === 'error:OUTCOME_UNKNOWN' && again < 5; again++) {
      await sleep(200);
      tried.told = await createOnce(url, action, tried.name, tried.key);
    }
    if (tried.told === 'success' || tried.told.startsWith('fault:') || tried.told === 'error:OUTCOME_UNKNOWN') return;
  }
}

async function inject(emulator: ServerProcess, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`injection refused: ${await response.text()}`);
}

function slopeMbPerMinute(samples: Sample[], pick: (s: Sample) => number): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.minutes, 0) / n;
  const my = samples.reduce((a, s) => a + pick(s), 0) / n;
  const num = samples.reduce((a, s) => a + (s.minutes - mx) * (pick(s) - my), 0);
  const den = samples.reduce((a, s) => a + (s.minutes - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' } } });
  const minutes = Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`--minutes must be a positive number, got ${values.minutes}`);

  const emulator = await startEmulator(await freePort(), { EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '3000' });
  const gateway = await startGateway(await freePort(), emulator.url, {
    nodeOptions: ['--expose-gc'],
    env: {
      SUBSCRIPTION_POLL_INTERVAL_MS: '500',
      // Small enough that the records reach their bound early in the run, so the second half's
      // slope shows whether anything else grows.
      IDEMPOTENCY_MAX_RECORDS: '1000',
    },
  });
  const stop = async () => {
    await gateway.stop();
    await emulator.stop();
  };
  try {
    const chance = { action: '*', times: 1_000_000 };
    await inject(emulator, { ...chance, code: 'ServiceUnavailable', status: 503, probability: 0.025 });
    await inject(emulator, { ...chance, code: 'Throttling', status: 400, probability: 0.025 });
    await inject(emulator, { ...chance, dropConnection: true, probability: 0.02 });
    await inject(emulator, { ...chance, afterOperation: true, dropConnection: true, probability: 0.015 });
    await inject(emulator, { ...chance, afterOperation: true, code: 'InternalFailure', status: 500, probability: 0.015 });

    const started = Date.now();
    const endAt = started + minutes * 60_000;
    const actions: Action[] = [];
    const counts = { reads: 0, readErrors: 0, subscriptions: 0, subscriptionEvents: 0, subscriptionErrors: 0 };
    const recent: string[] = [];
    const samples: Sample[] = [];

    const sample = async () => {
      const usage = await gateway.usage({ gc: true });
      const point = { minutes: (Date.now() - started) / 60_000, rssMb: usage.rssBytes / 2 ** 20, heapMb: usage.heapUsedBytes / 2 ** 20 };
      samples.push(point);
      console.log(
        `${point.minutes.toFixed(1).padStart(5)} min  rss ${point.rssMb.toFixed(1)} MB  heap ${point.heapMb.toFixed(1)} MB  ` +
          `actions ${actions.length}  reads ${counts.reads} (${counts.readErrors} errors)  subscriptions ${counts.subscriptions}`,
      );
    };

    const creators = Array.from({ length: CREATE_WORKERS }, async () => {
      while (Date.now() < endAt) {
        const action: Action = { id: actions.length, cache: CACHES[actions.length % CACHES.length]!, tries: [] };
        actions.push(action);
        await act(gateway.url, action, true);
        const last = action.tries.at(-1);
        if (last?.told === 'success') recent.push(last.name);
        if (recent.length > 50) recent.shift();
        await sleep(THINK_MS.create);
      }
    });
    const readers = Array.from({ length: READ_WORKERS }, async (_, worker) => {
      for (let i = worker; Date.now() < endAt; i++) {
        const query = READS[i % READS.length]!;
        const body = await graphql(gateway.url, query, { name: recent.at(-1 - (i % 10)) ?? 'none' });
        counts.reads++;
        if (body.errors !== undefined) counts.readErrors++;
        await sleep(THINK_MS.read);
      }
    });
    const client: Client = createClient({ url: `${gateway.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 5, lazy: true });
    const subscribers = Array.from({ length: SUBSCRIBERS }, async () => {
      while (Date.now() < endAt) {
        const name = recent.at(-1);
        if (name === undefined) {
          await sleep(500);
          continue;
        }
        counts.subscriptions++;
        // Each watch follows a new snapshot from `creating` until it completes (about 3 s).
        await new Promise<void>((done) => {
          client.subscribe(
            { query: WATCH, variables: { name } },
            {
              next: (event) => void (event.errors === undefined ? counts.subscriptionEvents++ : counts.subscriptionErrors++),
              error: () => {
                counts.subscriptionErrors++;
                done();
              },
              complete: done,
            },
          );
        });
      }
    });
    const sampler = (async () => {
      await sample();
      while (Date.now() < endAt) {
        await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, endAt - Date.now())));
        await sample();
      }
    })();
    await Promise.all([...creators, ...readers, ...subscribers, sampler]);
    await client.dispose();

    // AWS healthy again: settle what is still unknown with its key, then compare with what exists.
    await fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' });
    for (const action of actions) {
      const last = action.tries.at(-1)!;
      if (last.told === 'error:OUTCOME_UNKNOWN') last.told = await createOnce(gateway.url, action, last.name, last.key);
    }
    let lost = 0;
    let ghosts = 0;
    let duplicates = 0;
    const tally = new Map<string, number>();
    for (let i = 0; i < actions.length; i += 20) {
      await Promise.all(
        actions.slice(i, i + 20).map(async (action) => {
          let present = 0;
          for (const tried of action.tries) {
            tally.set(tried.told, (tally.get(tried.told) ?? 0) + 1);
            const response = await fetch(`${emulator.url}/_emulator/snapshots/${encodeURIComponent(tried.name)}`);
            await response.arrayBuffer();
            const exists = response.status === 200;
            if (exists) present++;
            if (tried.told === 'success' && !exists) lost++;
            if (tried.told !== 'success' && tried.told !== 'error:OUTCOME_UNKNOWN' && exists) ghosts++;
          }
          if (present > 1) duplicates++;
        }),
      );
    }

    const half = samples.filter((s) => s.minutes >= minutes / 2);
    console.log('\nmemory (after forced GC)');
    console.log(`  rss   first ${samples[0]!.rssMb.toFixed(1)} MB  last ${samples.at(-1)!.rssMb.toFixed(1)} MB  peak ${Math.max(...samples.map((s) => s.rssMb)).toFixed(1)} MB`);
    console.log(`  heap  first ${samples[0]!.heapMb.toFixed(1)} MB  last ${samples.at(-1)!.heapMb.toFixed(1)} MB`);
    console.log(
      `  slope, whole run:  rss ${slopeMbPerMinute(samples, (s) => s.rssMb).toFixed(2)} MB/min  heap ${slopeMbPerMinute(samples, (s) => s.heapMb).toFixed(2)} MB/min`,
    );
    console.log(`  slope, second half: rss ${slopeMbPerMinute(half, (s) => s.rssMb).toFixed(2)} MB/min  heap ${slopeMbPerMinute(half, (s) => s.heapMb).toFixed(2)} MB/min`);
    console.log('\nload');
    console.log(`  ${actions.length} create actions, ${counts.reads} reads (${counts.readErrors} with errors), ${counts.subscriptions} subscriptions (${counts.subscriptionEvents} events, ${counts.subscriptionErrors} errors)`);
    console.log('\nanswers per create call (after settling unknown outcomes)');
    for (const [told, n] of [...tally.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(6)}  ${told}`);
    console.log('\nwhat exists against what callers were told');
    console.log(`  ${String(lost).padStart(6)}  lost (told success, missing)`);
    console.log(`  ${String(ghosts).padStart(6)}  ghosts (told a failure, present)`);
    console.log(`  ${String(duplicates).padStart(6)}  duplicates (one action, two snapshots)`);
    process.exitCode = lost + ghosts + duplicates === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
