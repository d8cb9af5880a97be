/** The state file: restore across restarts, atomic serialised writes, refusal of corrupt files. */
import { CreateServerlessCacheSnapshotCommand, DescribeServerlessCacheSnapshotsCommand, DescribeServerlessCachesCommand } from '@aws-sdk/client-elasticache';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFileError } from '../../src/emulator';
import { StateFileWriter, writeFileAtomic } from '../../src/emulator/persistence';
import { seedState } from '../../src/emulator/seeds';
import { adminCall, expectFault, sdkClient, start } from './helpers';

let dir: string;
let stateFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-state-'));
  stateFile = join(dir, 'state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withEmulator<T>(overrides: Parameters<typeof start>[0], fn: (url: string) => Promise<T>): Promise<T> {
  const emulator = await start({ stateFile, ...overrides });
  const client = sdkClient(emulator.url);
  try {
    return await fn(emulator.url);
  } finally {
    client.destroy();
    await emulator.close();
  }
}

it('writes the seed state when the file does not exist yet', async () => {
  await withEmulator({}, () => Promise.resolve());
  const doc = JSON.parse(await readFile(stateFile, 'utf8')) as { format: string; version: number; caches: { name: string }[]; snapshots: unknown[]; buckets: unknown[] };
  expect(doc.format).toBe('elasticache-emulator-state');
  expect(doc.version).toBe(2);
  expect(doc.caches.map((c) => c.name)).toEqual(['demo-valkey', 'demo-redis', 'demo-memcached', 'demo-modifying']);
  expect(doc.snapshots).toEqual([]);
  expect(doc.buckets).toEqual([{ name: 'demo-exports', region: 'us-east-1', objects: [] }]);
});

it('restores snapshots, tags, cache statuses and creation times after a restart; status keeps ageing', async () => {
  let createTime: Date | undefined;
  await withEmulator({ snapshotAvailableAfterMs: 200 }, async (url) => {
    const client = sdkClient(url);
    const out = await client.send(
      new CreateServerlessCacheSnapshotCommand({
        ServerlessCacheSnapshotName: 'Kept',
        ServerlessCacheName: 'demo-valkey',
        Tags: [{ Key: 'k', Value: 'v & ü' }, { Key: 'null' }],
      }),
    );
    createTime = out.ServerlessCacheSnapshot?.CreateTime;
    expect(out.ServerlessCacheSnapshot?.Status).toBe('creating');
    await adminCall(url, 'PUT', '/caches/demo-redis/status', { status: 'modifying' });
    client.destroy();
  });
  await new Promise((r) => setTimeout(r, 250));
  await withEmulator({ snapshotAvailableAfterMs: 200 }, async (url) => {
    const client = sdkClient(url);
    const snapshots = await client.send(new DescribeServerlessCacheSnapshotsCommand({}));
    expect(snapshots.ServerlessCacheSnapshots?.map((s) => [s.ServerlessCacheSnapshotName, s.Status, s.CreateTime])).toEqual([['kept', 'available', createTime]]);
    const stored = await adminCall<{ tags: unknown }>(url, 'GET', '/snapshots/kept');
    expect(stored.body.tags).toEqual([{ key: 'k', value: 'v & ü' }, { key: 'null', value: null }]);
    const redis = await client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'demo-redis' }));
    expect(redis.ServerlessCaches?.[0]?.Status).toBe('modifying');
    client.destroy();
  });
});

it('keeps every one of many concurrent creates, and leaves no temp files behind', async () => {
  const names = Array.from({ length: 25 }, (_, i) => `c-${i}`);
  await withEmulator({}, async (url) => {
    const client = sdkClient(url);
    await Promise.all(names.map((n) => client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: n, ServerlessCacheName: 'demo-redis' }))));
    client.destroy();
  });
  expect(await readdir(dir)).toEqual(['state.json']);
  const doc = JSON.parse(await readFile(stateFile, 'utf8')) as { snapshots: { name: string }[] };
  expect(doc.snapshots.map((s) => s.name).sort()).toEqual([...names].sort());
});

it('answers InternalFailure when the state cannot be saved, and does not keep the snapshot', async () => {
  await withEmulator({}, async (url) => {
    const client = sdkClient(url);
    const input = { ServerlessCacheSnapshotName: 'unsaved', ServerlessCacheName: 'demo-redis' };
    await rm(dir, { recursive: true, force: true });
    await expectFault(client.send(new CreateServerlessCacheSnapshotCommand(input)), { name: 'InternalFailure', status: 500 });
    await mkdir(dir);
    await client.send(new CreateServerlessCacheSnapshotCommand(input));
    client.destroy();
  });
  const doc = JSON.parse(await readFile(stateFile, 'utf8')) as { snapshots: { name: string }[] };
  expect(doc.snapshots.map((s) => s.name)).toEqual(['unsaved']);
});

it('persists a reset', async () => {
  await withEmulator({}, async (url) => {
    const client = sdkClient(url);
    await client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'gone', ServerlessCacheName: 'demo-redis' }));
    await adminCall(url, 'POST', '/reset');
    client.destroy();
  });
  const doc = JSON.parse(await readFile(stateFile, 'utf8')) as { snapshots: unknown[] };
  expect(doc.snapshots).toEqual([]);
});

describe('a state file that cannot be used fails the start, and is left untouched', () => {
  it.each([
    ['truncated JSON', '{"format": "elasticache-emulator-state", "vers', /is not valid JSON/],
    ['an empty file', '', /is not valid JSON/],
    ['another document', '{"hello": "world"}', /is not a valid emulator state: format: .*; version: .*; caches: .*; snapshots: /],
    [
      'a bad record',
      JSON.stringify({ format: 'elasticache-emulator-state', version: 2, savedAt: 'x', caches: [{ ...seedState('us-east-1').caches[0], status: 'sleeping' }], snapshots: [], buckets: [] }),
      /caches\.0\.status: /,
    ],
    [
      'an upper-case name',
      JSON.stringify({ format: 'elasticache-emulator-state', version: 2, savedAt: 'x', caches: [{ ...seedState('us-east-1').caches[0], name: 'Demo' }], snapshots: [], buckets: [] }),
      /caches\.0\.name: must be lower case/,
    ],
    [
      'duplicate caches',
      JSON.stringify({ format: 'elasticache-emulator-state', version: 2, savedAt: 'x', caches: [seedState('us-east-1').caches[0], seedState('us-east-1').caches[0]], snapshots: [], buckets: [] }),
      /duplicate cache name "demo-valkey"/,
    ],
  ])('%s', async (_label, content, message) => {
    await writeFile(stateFile, content);
    const failure = start({ stateFile });
    await expect(failure).rejects.toBeInstanceOf(StateFileError);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(stateFile);
    expect(await readFile(stateFile, 'utf8')).toBe(content);
  });

  it('an unreadable path (a directory)', async () => {
    await expect(start({ stateFile: dir })).rejects.toThrow(/Cannot read the emulator state file/);
  });
});

describe('atomic, serialised writes', () => {
  it('writeFileAtomic replaces the file and cleans up its temp file when it fails', async () => {
    await writeFileAtomic(stateFile, 'one');
    await writeFileAtomic(stateFile, 'two');
    expect(await readFile(stateFile, 'utf8')).toBe('two');
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'state.json'), 'x')).rejects.toThrow(/ENOENT/);
    await expect(writeFileAtomic(join(dir, 'state.json', 'x'), 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('StateFileWriter serialises saves, shares a queued one, and always writes the latest state', async () => {
    const data = seedState('us-east-1');
    let reads = 0;
    const writer = new StateFileWriter(stateFile, () => {
      reads++;
      return data;
    });
    const first = writer.save();
    expect(writer.save()).toBe(first); // not started yet: shared
    await new Promise((r) => setImmediate(r)); // the first write has now read the state and is writing
    data.caches.pop();
    const second = writer.save();
    const third = writer.save();
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    await Promise.all([first, second, third]);
    await writer.flush();
    expect(reads).toBe(2);
    const doc = JSON.parse(await readFile(stateFile, 'utf8')) as { caches: unknown[] };
    expect(doc.caches).toHaveLength(3);
  });

  it('reports a failed write to its caller and keeps going', async () => {
    const writer = new StateFileWriter(join(dir, 'missing-dir', 'state.json'), () => seedState('us-east-1'));
    await expect(writer.save()).rejects.toThrow(/ENOENT/);
    await expect(writer.flush()).resolves.toBeUndefined();
  });
});
