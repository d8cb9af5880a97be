/**
 * The request mixes, and how each server under test is asked for the same thing:
 *
 * - `create`: one CreateServerlessCacheSnapshot per request, every request with a new snapshot name;
 * - `read`: one DescribeServerlessCacheSnapshots per request, for one snapshot created beforehand.
 *
 * The gateway gets a constant GraphQL document with variables, as a real client sends it (a name
 * inlined in the document would make every document distinct, and defeat any document cache).
 */

/** The cache every snapshot of the run is taken of (seeded by the emulator, `available`). */
export const BENCH_CACHE = 'demo-valkey';

export type MixName = 'create' | 'read';
export const MIXES: readonly MixName[] = ['create', 'read'];

/** A: static, B: bare SDK handler, C: gateway, E: the emulator alone. */
export type Target = 'static' | 'bare' | 'gateway' | 'emulator';

export interface RequestShape {
  path: string;
  headers: Record<string, string>;
  /** A new body for each request. */
  body: () => string;
  /** What a correct answer contains (checked on a first request before the load starts). */
  expect: RegExp;
}

export const READ_SNAPSHOT = 'bench-read-target';

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

export function requestFor(mix: MixName, target: Target, nextName: () => string): RequestShape {
  const name = mix === 'create' ? nextName : () => READ_SNAPSHOT;
  switch (target) {
    case 'gateway': {
      const prefix = `{"query":${JSON.stringify(mix === 'create' ? CREATE_DOCUMENT : READ_DOCUMENT)},"variables":`;
      return {
        path: '/graphql',
        headers: JSON_HEADERS,
        body:
          mix === 'create'
            ? () => `${prefix}{"input":{"serverlessCacheSnapshotName":"${name()}","serverlessCacheName":"${BENCH_CACHE}"}}}`
            : () => `${prefix}{"name":"${name()}"}}`,
        expect:
          mix === 'create'
            ? /"__typename":"CreateServerlessCacheSnapshotSuccess".*"status":"creating"/
            : new RegExp(`"serverlessCacheSnapshotName":"${READ_SNAPSHOT}"`),
      };
    }
    case 'bare':
    case 'static':
      return {
        path: target === 'static' ? '/' : `/${mix}`,
        headers: JSON_HEADERS,
        body: () => `{"name":"${name()}"}`,
        expect: target === 'static' ? /"data"/ : mix === 'create' ? /"status":"creating"/ : new RegExp(`"serverlessCacheSnapshotName":"${READ_SNAPSHOT}"`),
      };
    case 'emulator':
      return {
        path: '/',
        headers: FORM_HEADERS,
        body:
          mix === 'create'
            ? () => `Action=CreateServerlessCacheSnapshot&Version=${API_VERSION}&ServerlessCacheSnapshotName=${name()}&ServerlessCacheName=${BENCH_CACHE}`
            : () => `Action=DescribeServerlessCacheSnapshots&Version=${API_VERSION}&ServerlessCacheSnapshotName=${name()}`,
        expect: mix === 'create' ? /<CreateServerlessCacheSnapshotResult>/ : new RegExp(`<ServerlessCacheSnapshotName>${READ_SNAPSHOT}<`),
      };
  }
}

/** Creates the snapshot the read mix reads, straight on the emulator's AWS API. */
export async function createReadTarget(emulatorUrl: string): Promise<void> {
  const body = requestFor('create', 'emulator', () => READ_SNAPSHOT).body();
  const response = await fetch(`${emulatorUrl}/`, { method: 'POST', headers: FORM_HEADERS, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`could not create ${READ_SNAPSHOT} on the emulator: ${response.status} ${text}`);
}
