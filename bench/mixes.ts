/**
 * The request mixes, and how each server under test is asked for the same thing:
 *
 * - `create`: one CreateServerlessCacheSnapshot per request, every request with a new snapshot name;
 * - `read`: one DescribeServerlessCacheSnapshots per request, each for the next of 64 snapshots
 *   created beforehand, so no two requests in flight read the same one (nothing to share);
 * - `hot-read`: the same, every request for the same snapshot (many clients watching one thing:
 *   identical reads in flight at once, which the gateway shares).
 *
 * The gateway gets a constant GraphQL document with variables, as a real client sends it (a name
 * inlined in the document would make every document distinct, and defeat any document cache); the
 * trusted-document rows send the same document by its id (`documentId`), the API-key row the
 * document's text with an `x-api-key` header.
 */
import { sha256Hex as sha256 } from '../src/trusted-documents/manifest';

/** The cache every snapshot of the run is taken of (seeded by the emulator, `available`). */
export const BENCH_CACHE = 'demo-valkey';

export type MixName = 'create' | 'read' | 'hot-read';
export const MIXES: readonly MixName[] = ['create', 'read', 'hot-read'];

/**
 * A: static; B: bare SDK handler, B-cached: the same with the SDK's `cacheMiddleware`, D: the same
 * handler on the gateway's own AWS layer; C: gateway, C-trusted: the gateway sent registered
 * documents by id, C-api-key: the gateway with API-key authentication on; E: the emulator alone.
 */
export type Target = 'static' | 'bare' | 'bare-cached' | 'aws-layer' | 'gateway' | 'gateway-trusted' | 'gateway-api-key' | 'emulator';

/** The API key the C-api-key row sends (its hash is in the key file the benchmark writes). */
export const BENCH_API_KEY = 'esgw_benchmark-key-not-a-secret-only-for-loopback';

export interface RequestShape {
  path: string;
  headers: Record<string, string>;
  /** A new body for each request. */
  body: () => string;
  /** What a correct answer contains (checked on a first request before the load starts). */
  expect: RegExp;
}

/** The `hot-read` mix's one snapshot. */
export const READ_SNAPSHOT = 'bench-read-hot';
/** The `read` mix's snapshots: `bench-read-0` … `bench-read-63`. */
export const READ_TARGETS = 64;

export const CREATE_DOCUMENT = `mutation CreateSnapshot($input: CreateServerlessCacheSnapshotInput!) {
  createServerlessCacheSnapshot(input: $input) {
    __typename
    ... on CreateServerlessCacheSnapshotSuccess { serverlessCacheSnapshot { serverlessCacheSnapshotName arn status createTime } }
    ... on Fault { code message }
  }
}`;

export const READ_DOCUMENT = `query ReadSnapshot($name: String!) {
  serverlessCacheSnapshot(name: $name) { serverlessCacheSnapshotName arn status createTime }
}`;

const JSON_HEADERS = { 'content-type': 'application/json' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const API_VERSION = '2015-02-02';

/** Unique snapshot names for the whole run: `bench-<run>-<n>` (letters, digits and hyphens). */
export function nameSource(): () => string {
  const run = Date.now().toString(36);
  let n = 0;
  return () => `bench-${run}-${(n++).toString(36)}`;
}

/** The registered documents of the C-trusted row: GraphQL Code Generator's persisted-documents format. */
export function trustedDocuments(): Record<string, string> {
  return Object.fromEntries([CREATE_DOCUMENT, READ_DOCUMENT].map((text) => [sha256(text), text]));
}

/** The snapshot each request names: a new one to create, the next read target, or the hot one. */
function namesFor(mix: MixName, nextName: () => string): () => string {
  if (mix === 'create') return nextName;
  if (mix === 'hot-read') return () => READ_SNAPSHOT;
  let n = 0;
  return () => `bench-read-${n++ % READ_TARGETS}`;
}

export function requestFor(mix: MixName, target: Target, nextName: () => string): RequestShape {
  const name = namesFor(mix, nextName);
  const document = mix === 'create' ? CREATE_DOCUMENT : READ_DOCUMENT;
  switch (target) {
    case 'gateway':
    case 'gateway-trusted':
    case 'gateway-api-key': {
      const prefix = target === 'gateway-trusted' ? `{"documentId":"sha256:${sha256(document)}","variables":` : `{"query":${JSON.stringify(document)},"variables":`;
      return {
        path: '/graphql',
        headers: target === 'gateway-api-key' ? { ...JSON_HEADERS, 'x-api-key': BENCH_API_KEY } : JSON_HEADERS,
        body:
          mix === 'create'
            ? () => `${prefix}{"input":{"serverlessCacheSnapshotName":"${name()}","serverlessCacheName":"${BENCH_CACHE}"}}}`
            : () => `${prefix}{"name":"${name()}"}}`,
        expect:
          mix === 'create'
            ? /"__typename":"CreateServerlessCacheSnapshotSuccess".*"status":"creating"/
            : /"serverlessCacheSnapshotName":"bench-read-/,
      };
    }
    case 'bare':
    case 'bare-cached':
    case 'aws-layer':
    case 'static':
      return {
        path: target === 'static' ? '/' : mix === 'create' ? '/create' : '/read',
        headers: JSON_HEADERS,
        body: () => `{"name":"${name()}"}`,
        expect: target === 'static' ? /"data"/ : mix === 'create' ? /"status":"creating"/ : /"serverlessCacheSnapshotName":"bench-read-/,
      };
    case 'emulator':
      return {
        path: '/',
        headers: FORM_HEADERS,
        body:
          mix === 'create'
            ? () => `Action=CreateServerlessCacheSnapshot&Version=${API_VERSION}&ServerlessCacheSnapshotName=${name()}&ServerlessCacheName=${BENCH_CACHE}`
            : () => `Action=DescribeServerlessCacheSnapshots&Version=${API_VERSION}&ServerlessCacheSnapshotName=${name()}`,
        expect: mix === 'create' ? /<CreateServerlessCacheSnapshotResult>/ : /<ServerlessCacheSnapshotName>bench-read-/,
      };
  }
}

/** Creates the snapshots a read mix reads, straight on the emulator's AWS API. */
export async function createReadTargets(emulatorUrl: string, mix: MixName): Promise<void> {
  const names = mix === 'read' ? Array.from({ length: READ_TARGETS }, (_, i) => `bench-read-${i}`) : mix === 'hot-read' ? [READ_SNAPSHOT] : [];
  for (const name of names) {
    const body = requestFor('create', 'emulator', () => name).body();
    const response = await fetch(`${emulatorUrl}/`, { method: 'POST', headers: FORM_HEADERS, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`could not create ${name} on the emulator: ${response.status} ${text}`);
  }
}
