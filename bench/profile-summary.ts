/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) of a server into where its time goes: GraphQL
 * parse / validate / execute, Apollo Server, Fastify and Node's HTTP server, the SDK's serialisation,
 * SigV4 signing, HTTP, XML parsing and deserialisation, logging, metrics, the gateway's own code,
 * GC and the rest.
 *
 * Each sample is charged to one bucket. Socket write system calls are a bucket of their own.
 * Otherwise, walking from the sampled function towards the root, the first frame that belongs to a
 * known library decides (so `crypto.createHmac` called by the SDK's signer counts as signing, and
 * Node's own HTTP code called by Fastify counts as Fastify). Inside the SDK, the nearest frame whose
 * function name marks a stage (serialize, sign, deserialize, XML parse, HTTP handler) decides the
 * stage. Samples outside the measured window can be cut off.
 *
 * Usage: node dist/bench/profile-summary.js FILE.cpuprofile [--from µs] [--to µs] [--requests N]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const BUCKETS = [
  'GraphQL parse',
  'GraphQL validate',
  'GraphQL execute (graphql-js, resolvers plumbing)',
  'Apollo Server',
  'Fastify + Node HTTP server (inbound)',
  'gateway code (src/, resolvers/)',
  'logging (pino)',
  'metrics (prom-client)',
  'SDK serialisation (awsQuery)',
  'SDK SigV4 signing',
  'SDK HTTP (upstream)',
  'SDK XML parsing',
  'SDK deserialisation',
  'SDK middleware, endpoint, retry, other',
  'bench baseline handler',
  'socket writes (kernel, both sides)',
  'Node internals (net, streams, timers)',
  'GC',
  'V8 / native (program)',
] as const;
export type Bucket = (typeof BUCKETS)[number];

const SDK_URL = /\/node_modules\/(@aws-sdk|@smithy|fast-xml-parser|strnum|bowser|uuid|tslib)\//;

/** The bucket a frame's library decides, or undefined for Node internals and anonymous frames. */
function libraryBucket(frame: CallFrame): Bucket | 'sdk' | undefined {
  const url = frame.url.replace(/\\/g, '/');
  if (url === '') return undefined;
  if (SDK_URL.test(url)) return 'sdk';
  if (url.includes('/node_modules/graphql/language/')) return 'GraphQL parse';
  if (url.includes('/node_modules/graphql/validation/')) return 'GraphQL validate';
  if (/\/node_modules\/(graphql|@graphql-tools|graphql-scalars|dataloader)\//.test(url)) return 'GraphQL execute (graphql-js, resolvers plumbing)';
  if (/\/node_modules\/(@apollo|@as-integrations|lru-cache|negotiator|whatwg-mimetype|loglevel)\//.test(url)) return 'Apollo Server';
  if (
    /\/node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse|fast-content-type-parse|toad-cache|process-warning|fast-querystring|fast-decode-uri-component|ret|safe-regex2|rfdc|abstract-logging|json-schema-ref-resolver|fast-uri)\//.test(
      url,
    )
  ) {
    return 'Fastify + Node HTTP server (inbound)';
  }
  if (/\/node_modules\/(pino|pino-std-serializers|sonic-boom|fast-redact|@pinojs|quick-format-unescaped|atomic-sleep|on-exit-leak-free|safe-stable-stringify|thread-stream)\//.test(url)) {
    return 'logging (pino)';
  }
  if (/\/node_modules\/(prom-client|tdigest|bintrees)\//.test(url)) return 'metrics (prom-client)';
  if (/\/dist\/bench\/baseline-server\.js$/.test(url)) return 'bench baseline handler';
  if (/\/dist\/(src|resolvers)\//.test(url)) return 'gateway code (src/, resolvers/)';
  if (url.startsWith('node:_http_server')) return 'Fastify + Node HTTP server (inbound)';
  if (url.startsWith('node:_http_client')) return 'SDK HTTP (upstream)';
  return undefined;
}

/** The SDK stage a frame marks, if any. */
function sdkStage(frame: CallFrame): Bucket | undefined {
  const { functionName: fn, url } = frame;
  if (/xml-builder|fast-xml-parser/.test(url) || /parseXML|parseXmlBody|parseXmlErrorBody/.test(fn)) return 'SDK XML parsing';
  if (/[Dd]eserializ/.test(fn)) return 'SDK deserialisation';
  if (/[Ss]erializ/.test(fn)) return 'SDK serialisation (awsQuery)';
  if (/signature-v4|httpAuthSchemes/.test(url) || /(^|[a-z])Sign|^sign|Canonical|PayloadHash|[Hh]mac|SigV4/.test(fn)) return 'SDK SigV4 signing';
  if (/node-http-handler/.test(url) || url.startsWith('node:_http_client')) return 'SDK HTTP (upstream)';
  return undefined;
}

export interface Summary {
  /** Profiled time per bucket, microseconds (idle excluded). */
  micros: Map<Bucket, number>;
  busyMicros: number;
  idleMicros: number;
  windowMicros: number;
  /** The functions with the most self time: name, location, bucket, microseconds. */
  topFunctions: { name: string; where: string; bucket: Bucket; micros: number }[];
}

export function summarise(profile: CpuProfile, window: { from?: number; to?: number } = {}): Summary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const bucketCache = new Map<number, Bucket | 'idle'>();
  const bucketOf = (id: number): Bucket | 'idle' => {
    const cached = bucketCache.get(id);
    if (cached !== undefined) return cached;
    const leaf = byId.get(id)?.callFrame;
    let bucket: Bucket | 'idle' | undefined;
    if (leaf?.functionName === '(idle)') bucket = 'idle';
    else if (leaf?.functionName === '(garbage collector)') bucket = 'GC';
    else if (leaf?.functionName === '(program)') bucket = 'V8 / native (program)';
    // The write system calls, whichever socket (inbound answer or upstream request) they serve:
    // their cost is the kernel's loopback delivery and the wake-up of the peer, not the caller's.
    else if (leaf?.url === '' && /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(leaf.functionName)) {
      bucket = 'socket writes (kernel, both sides)';
    }
    let sdk = false;
    for (let at: number | undefined = id; bucket === undefined && at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined) break;
      const library = libraryBucket(frame);
      if (library === 'sdk') {
        sdk = true;
        bucket = sdkStage(frame);
      } else if (library === undefined) {
        // Node's own code: inside the SDK it may still mark a stage (its HTTP client).
        if (sdk) bucket = sdkStage(frame);
      } else {
        // Leaving the SDK for its caller without having met a stage marker.
        bucket = sdk && library !== 'SDK HTTP (upstream)' ? 'SDK middleware, endpoint, retry, other' : library;
      }
    }
    bucket ??= sdk ? 'SDK middleware, endpoint, retry, other' : 'Node internals (net, streams, timers)';
    bucketCache.set(id, bucket);
    return bucket;
  };

  const micros = new Map<Bucket, number>(BUCKETS.map((b) => [b, 0]));
  const selfMicros = new Map<number, number>();
  let idleMicros = 0;
  let t = profile.startTime;
  const from = window.from ?? -Infinity;
  const to = window.to ?? Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const duration = profile.timeDeltas[i + 1] ?? 0;
    if (t < from || t > to) continue;
    const id = profile.samples[i];
    if (id === undefined) continue;
    const bucket = bucketOf(id);
    if (bucket === 'idle') {
      idleMicros += duration;
      continue;
    }
    micros.set(bucket, (micros.get(bucket) ?? 0) + duration);
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + duration);
  }
  const busyMicros = [...micros.values()].reduce((a, b) => a + b, 0);

  // Self time per function (several profile nodes can share one function).
  const perFunction = new Map<string, { name: string; where: string; bucket: Bucket; micros: number }>();
  for (const [id, us] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const where = frame.url === '' ? '' : `${frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${where}`;
    const entry = perFunction.get(key) ?? { name: frame.functionName || '(anonymous)', where, bucket: bucketOf(id) as Bucket, micros: 0 };
    entry.micros += us;
    perFunction.set(key, entry);
  }
  const topFunctions = [...perFunction.values()].sort((a, b) => b.micros - a.micros).slice(0, 60);

  const windowMicros = Math.min(to, profile.endTime) - Math.max(from, profile.startTime);
  return { micros, busyMicros, idleMicros, windowMicros, topFunctions };
}

/** A Markdown table: bucket, share of the busy time, and µs per request when `requests` is known. */
export function formatSummary(summary: Summary, requests?: number, options: { top?: number } = {}): string {
  const perRequest = requests !== undefined && requests > 0;
  const lines = [
    `| where the time goes | share of CPU | ${perRequest ? 'µs per request |' : 'ms |'}`,
    `| --- | ---: | ---: |`,
  ];
  const rows = [...summary.micros.entries()].filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]);
  for (const [bucket, us] of rows) {
    const share = `${((100 * us) / Math.max(1, summary.busyMicros)).toFixed(1)} %`;
    lines.push(`| ${bucket} | ${share} | ${perRequest ? (us / requests).toFixed(0) : (us / 1000).toFixed(0)} |`);
  }
  lines.push(
    `| **total (main thread, idle excluded)** | 100 % | ${perRequest ? (summary.busyMicros / requests).toFixed(0) : (summary.busyMicros / 1000).toFixed(0)} |`,
  );
  const idleShare = (100 * summary.idleMicros) / Math.max(1, summary.idleMicros + summary.busyMicros);
  lines.push('', `main thread idle ${idleShare.toFixed(0)} % of the window.`);
  const top = options.top ?? 15;
  if (top > 0) {
    lines.push('', `top ${top} functions by self time:`);
    for (const f of summary.topFunctions.slice(0, top)) {
      const amount = perRequest ? `${(f.micros / requests).toFixed(1)} µs/req` : `${(f.micros / 1000).toFixed(0)} ms`;
      lines.push(`  ${amount.padStart(13)}  ${f.name}  ${f.where}  [${f.bucket}]`);
    }
  }
  return lines.join('\n');
}

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, requests: { type: 'string' }, top: { type: 'string' } },
  });
  const file = positionals[0];
  if (file === undefined) {
    process.stderr.write('usage: profile-summary.js FILE.cpuprofile [--from µs] [--to µs] [--requests N] [--top N]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const summary = summarise(profile, {
    ...(values.from !== undefined ? { from: Number(values.from) } : {}),
    ...(values.to !== undefined ? { to: Number(values.to) } : {}),
  });
  process.stdout.write(
    `${formatSummary(summary, values.requests === undefined ? undefined : Number(values.requests), values.top === undefined ? {} : { top: Number(values.top) })}\n`,
  );
}
