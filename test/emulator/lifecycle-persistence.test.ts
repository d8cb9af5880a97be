/**
 * The state file with the lifecycle: statuses and their end times, tags on snapshots and caches,
 * buckets and exported objects, new caches; transitions that end while the emulator is down; a
 * version-1 file; and changes undone when they cannot be saved.
 */
import {
  AddTagsToResourceCommand,
  CopyServerlessCacheSnapshotCommand,
  CreateServerlessCacheCommand,
  CreateServerlessCacheSnapshotCommand,
  DeleteServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  DescribeServerlessCachesCommand,
  ElastiCacheClient,
  ExportServerlessCacheSnapshotCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-elasticache';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFileError } from '../../src/emulator';
import { seedState } from '../../src/emulator/seeds';
import { adminCall, cacheArnOf, expectFault, ManualClock, sdkClient, snapshotArnOf, start } from './helpers';

let dir: string;
let stateFile: string;
let clock: ManualClock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-lifecycle-'));
  stateFile = join(dir, 'state.json');
  clock = new ManualClock();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const delays = { snapshotAvailableAfterMs: 1000, snapshotDeleteAfterMs: 1000, snapshotExportAfterMs: 1000, cacheAvailableAfterMs: 1000 };

async function withEmulator<T>(fn: (client: ElastiCacheClient, url: string) => Promise<T>): Promise<T> {
  const emulator = await start({ stateFile, ...delays }, { clock: clock.read });
  const client = sdkClient(emulator.url);
  try {
    return await fn(client, emulator.url);
  } finally {
    client.destroy();
    await emulator.close();
  }
}

interface SavedState {
  version: number;
  caches: { name: string; status: string; statusUntilMs: number | null; tags: unknown[] }[];
  snapshots: { name: string; status: string; statusUntilMs: number | null; exportBucket: string | null; tags: unknown[] }[];
  buckets: { name: string; region: string; objects: { key: string }[] }[];
}
const saved = async (): Promise<SavedState> => JSON.parse(await readFile(stateFile, 'utf8')) as SavedState;

const statuses = async (client: ElastiCacheClient): Promise<Record<string, string | undefined>> =>
  Object.fromEntries(
    (await client.send(new DescribeServerlessCacheSnapshotsCommand({}))).ServerlessCacheSnapshots?.map((s): [string, string | undefined] => [s.ServerlessCacheSnapshotName ?? '', s.Status]) ?? [],
  );

it('keeps statuses, end times, tags, buckets and new caches across a restart, and applies the transitions that ended meanwhile', async () => {
  const t0 = clock.now;
  await withEmulator(async (client, url) => {
    const snap = (name: string, Tags?: { Key: string; Value?: string }[]) =>
      client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: 'demo-valkey', Tags }));
    await snap('stays', [{ Key: 'k', Value: 'v' }]);
    await snap('exported');
    await snap('deleted');
    clock.advance(1000);
    await snap('young');
    await client.send(new CopyServerlessCacheSnapshotCommand({ SourceServerlessCacheSnapshotName: 'stays', TargetServerlessCacheSnapshotName: 'copy', Tags: [{ Key: 'c' }] }));
    await client.send(new ExportServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'exported', S3BucketName: 'demo-exports' }));
    await client.send(new DeleteServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'deleted' }));
    await client.send(new AddTagsToResourceCommand({ ResourceName: cacheArnOf('demo-redis'), Tags: [{ Key: 'added', Value: 'yes' }] }));
    await client.send(new RemoveTagsFromResourceCommand({ ResourceName: cacheArnOf('demo-valkey'), TagKeys: ['env'] }));
    await client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'new-cache', Engine: 'valkey', Tags: [{ Key: 'n' }] }));
    await adminCall(url, 'PUT', '/buckets/archive', { region: 'eu-west-1' });
  });

  const doc = await saved();
  expect(doc.version).toBe(2);
  const byName = Object.fromEntries(doc.snapshots.map((s) => [s.name, s]));
  expect(byName.stays).toMatchObject({ status: 'available', statusUntilMs: null, tags: [{ key: 'k', value: 'v' }] });
  expect(byName.exported).toMatchObject({ status: 'exporting', statusUntilMs: t0 + 2000, exportBucket: 'demo-exports' });
  expect(byName.deleted).toMatchObject({ status: 'deleting', statusUntilMs: t0 + 2000 });
  expect(byName.young).toMatchObject({ status: 'creating', statusUntilMs: t0 + 2000 });
  expect(byName.copy).toMatchObject({ status: 'creating', tags: [{ key: 'c', value: null }] });
  expect(doc.caches.find((c) => c.name === 'new-cache')).toMatchObject({ status: 'creating', statusUntilMs: t0 + 2000, tags: [{ key: 'n', value: null }] });
  expect(doc.buckets.map((b) => [b.name, b.region])).toEqual([
    ['demo-exports', 'us-east-1'],
    ['archive', 'eu-west-1'],
  ]);

  // Restarted before anything was due: exactly as it was.
  await withEmulator(async (client, url) => {
    expect(await statuses(client)).toEqual({ stays: 'available', exported: 'exporting', deleted: 'deleting', young: 'creating', copy: 'creating' });
    expect((await client.send(new ListTagsForResourceCommand({ ResourceName: cacheArnOf('demo-redis') }))).TagList).toEqual([{ Key: 'added', Value: 'yes' }]);
    expect((await client.send(new ListTagsForResourceCommand({ ResourceName: cacheArnOf('demo-valkey') }))).TagList).toEqual([{ Key: 'team', Value: 'platform' }]);
    expect((await client.send(new ListTagsForResourceCommand({ ResourceName: snapshotArnOf('copy') }))).TagList).toEqual([{ Key: 'c' }]);
    expect((await client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'new-cache' }))).ServerlessCaches?.[0]?.Status).toBe('creating');
    expect((await adminCall<unknown[]>(url, 'GET', '/buckets')).body).toHaveLength(2);
  });

  // Down while the transitions end; the next start applies them from the stored times.
  clock.advance(1000);
  await withEmulator(async (client, url) => {
    expect(await statuses(client)).toEqual({ stays: 'available', exported: 'available', young: 'available', copy: 'available' });
    expect((await client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'new-cache' }))).ServerlessCaches?.[0]?.Status).toBe('available');
    expect((await adminCall<{ objects: unknown[] }>(url, 'GET', '/buckets/demo-exports')).body.objects).toEqual([
      { key: 'exported.rdb', snapshotName: 'exported', exportedAt: new Date(t0 + 2000).toISOString() },
    ]);
  });
  // ...and saves them.
  const after = await saved();
  expect(after.snapshots.map((s) => [s.name, s.status, s.statusUntilMs])).toEqual([
    ['stays', 'available', null],
    ['exported', 'available', null],
    ['young', 'available', null],
    ['copy', 'available', null],
  ]);
  expect(after.buckets[0]?.objects.map((o) => o.key)).toEqual(['exported.rdb']);
});

describe('a version-1 state file', () => {
  const v1Cache = (c: ReturnType<typeof seedState>['caches'][number]) => {
    const { statusUntilMs: _until, tags: _tags, ...rest } = c;
    return rest;
  };
  const v1Snapshot = (name: string, createTimeMs: number) => ({
    name,
    cacheName: 'demo-redis',
    engine: 'redis',
    majorEngineVersion: '7',
    kmsKeyId: null,
    snapshotType: 'manual',
    createTimeMs,
    expiryTimeMs: null,
    bytesUsedForCache: '52428800',
    tags: [{ key: 'old', value: 'tag' }],
  });

  it('loads: statuses derived from age as version 1 did, no cache tags, the seed bucket; the next change writes version 2', async () => {
    await writeFile(
      stateFile,
      JSON.stringify({
        format: 'elasticache-emulator-state',
        version: 1,
        savedAt: 'x',
        caches: seedState('us-east-1').caches.map(v1Cache),
        snapshots: [v1Snapshot('old', clock.now - 5000), v1Snapshot('recent', clock.now - 400)],
      }),
    );
    await withEmulator(async (client, url) => {
      expect(await statuses(client)).toEqual({ old: 'available', recent: 'creating' });
      expect((await client.send(new ListTagsForResourceCommand({ ResourceName: snapshotArnOf('old') }))).TagList).toEqual([{ Key: 'old', Value: 'tag' }]);
      expect((await client.send(new ListTagsForResourceCommand({ ResourceName: cacheArnOf('demo-valkey') }))).TagList).toEqual([]);
      expect((await adminCall(url, 'GET', '/buckets')).body).toEqual([{ name: 'demo-exports', region: 'us-east-1', objects: [] }]);
      clock.advance(600);
      expect(await statuses(client)).toEqual({ old: 'available', recent: 'available' });
    });
    const doc = await saved();
    expect(doc.version).toBe(2);
    expect(doc.snapshots.map((s) => s.status)).toEqual(['available', 'available']);
  });

  it('that is malformed fails the start naming version 1', async () => {
    const content = JSON.stringify({ format: 'elasticache-emulator-state', version: 1, savedAt: 'x', caches: [], snapshots: [{ name: 'x' }] });
    await writeFile(stateFile, content);
    const failure = start({ stateFile });
    await expect(failure).rejects.toBeInstanceOf(StateFileError);
    await expect(failure).rejects.toThrow(/is not a valid emulator state \(version 1\): snapshots\.0\./);
    expect(await readFile(stateFile, 'utf8')).toBe(content);
  });
});

it('a file of an unknown version fails the start with a clear StateFileError, and is left untouched', async () => {
  const content = JSON.stringify({ format: 'elasticache-emulator-state', version: 3, savedAt: 'x', caches: [], snapshots: [], buckets: [] });
  await writeFile(stateFile, content);
  const failure = start({ stateFile });
  await expect(failure).rejects.toBeInstanceOf(StateFileError);
  await expect(failure).rejects.toThrow(`The emulator state file ${stateFile} has version 3; this emulator reads versions 1 and 2.`);
  expect(await readFile(stateFile, 'utf8')).toBe(content);
});

it('a change that cannot be saved answers InternalFailure and is undone', async () => {
  await withEmulator(async (client, url) => {
    await client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'demo-valkey', Tags: [{ Key: 'k' }] }));
    clock.advance(1000);
    await client.send(new DescribeServerlessCacheSnapshotsCommand({}));
    await rm(dir, { recursive: true, force: true });

    const internal = { name: 'InternalFailure', status: 500 };
    await expectFault(client.send(new DeleteServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 's' })), internal);
    await expectFault(client.send(new ExportServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 's', S3BucketName: 'demo-exports' })), internal);
    await expectFault(client.send(new CopyServerlessCacheSnapshotCommand({ SourceServerlessCacheSnapshotName: 's', TargetServerlessCacheSnapshotName: 't' })), internal);
    await expectFault(client.send(new AddTagsToResourceCommand({ ResourceName: snapshotArnOf('s'), Tags: [{ Key: 'x' }] })), internal);
    await expectFault(client.send(new RemoveTagsFromResourceCommand({ ResourceName: snapshotArnOf('s'), TagKeys: ['k'] })), internal);
    await expectFault(client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'c', Engine: 'valkey' })), internal);

    // Reads still answer while the file cannot be written.
    expect(await statuses(client)).toEqual({ s: 'available' });
    expect((await client.send(new ListTagsForResourceCommand({ ResourceName: snapshotArnOf('s') }))).TagList).toEqual([{ Key: 'k' }]);
    expect((await adminCall(url, 'GET', '/caches/c')).status).toBe(404);
    await mkdir(dir);
    await client.send(new DeleteServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 's' }));
  });
  expect((await saved()).snapshots.map((s) => [s.name, s.status])).toEqual([['s', 'deleting']]);
});
