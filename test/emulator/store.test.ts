import { seedState, regionCode, SEED_CACHE_NAMES } from '../../src/emulator/seeds';
import type { SnapshotRecord } from '../../src/emulator/state';
import { EmulatorStore } from '../../src/emulator/store';

function snapshot(name: string, createTimeMs: number, cacheName = 'demo-valkey'): SnapshotRecord {
  return {
    name,
    cacheName,
    engine: 'valkey',
    majorEngineVersion: '8',
    kmsKeyId: null,
    snapshotType: 'manual',
    createTimeMs,
    expiryTimeMs: null,
    bytesUsedForCache: '1',
    tags: [{ key: 'k', value: null }],
    status: 'available',
    statusUntilMs: null,
    exportBucket: null,
  };
}

describe('seed state', () => {
  it('has the four demo caches with their engines and statuses', () => {
    const caches = seedState('us-east-1').caches;
    expect(caches.map((c) => [c.name, c.engine, c.majorEngineVersion, c.status])).toEqual([
      ['demo-valkey', 'valkey', '8', 'available'],
      ['demo-redis', 'redis', '7', 'available'],
      ['demo-memcached', 'memcached', '1.6', 'available'],
      ['demo-modifying', 'valkey', '8', 'modifying'],
    ]);
    expect(SEED_CACHE_NAMES).toHaveLength(4);
  });

  it('is deterministic and region-aware', () => {
    expect(seedState('eu-west-2')).toEqual(seedState('eu-west-2'));
    expect(seedState('eu-west-2').caches[0]?.endpoint.address).toMatch(/^demo-valkey-[0-9a-f]{6}\.serverless\.euw2\.cache\.amazonaws\.com$/);
    expect(regionCode('ap-southeast-1')).toBe('apse1');
    expect(regionCode('us-east-1')).toBe('use1');
  });
});

describe('EmulatorStore', () => {
  it('looks names up case-insensitively', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    expect(store.getCache('DEMO-Valkey')?.name).toBe('demo-valkey');
    store.addSnapshot(snapshot('snap', 1));
    expect(store.getSnapshot('SNAP')?.name).toBe('snap');
    expect(store.setCacheStatus('Demo-Redis', 'deleting')?.status).toBe('deleting');
    expect(store.setCacheStatus('nope', 'deleting')).toBeUndefined();
  });

  it('refuses duplicate or non-normalised snapshot names (callers must check first)', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    store.addSnapshot(snapshot('a', 1));
    expect(() => store.addSnapshot(snapshot('a', 2))).toThrow(/already exists/);
    expect(() => store.addSnapshot(snapshot('B', 2))).toThrow(/not normalised/);
  });

  it('lists snapshots by creation time, then name', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    store.addSnapshot(snapshot('c', 2));
    store.addSnapshot(snapshot('b', 1));
    store.addSnapshot(snapshot('a', 2));
    expect(store.listSnapshots().map((s) => s.name)).toEqual(['b', 'a', 'c']);
    expect(store.listCaches().map((c) => c.name)).toEqual(['demo-memcached', 'demo-modifying', 'demo-redis', 'demo-valkey']);
  });

  it('counts snapshots per cache within a rolling window', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    store.addSnapshot(snapshot('old', 1000));
    store.addSnapshot(snapshot('new', 2000));
    store.addSnapshot(snapshot('other', 2000, 'demo-redis'));
    expect(store.countSnapshotsSince('demo-valkey', 999)).toBe(2);
    expect(store.countSnapshotsSince('DEMO-VALKEY', 1000)).toBe(1);
    expect(store.countSnapshotsSince('demo-valkey', 2000)).toBe(0);
  });

  it('hands out and keeps copies, so callers cannot change stored records behind its back', () => {
    const data = seedState('us-east-1');
    const store = new EmulatorStore(data);
    const s = snapshot('a', 1);
    store.addSnapshot(s);
    s.tags.push({ key: 'sneaky', value: 'x' });
    (data.caches[0] as { status: string }).status = 'deleting';
    const out = store.toData();
    expect(out.snapshots[0]?.tags).toEqual([{ key: 'k', value: null }]);
    expect(out.caches[0]?.status).toBe('available');
    out.snapshots.length = 0;
    expect(store.listSnapshots()).toHaveLength(1);
  });

  it('replaces its whole content', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    store.addSnapshot(snapshot('a', 1));
    store.replace(seedState('us-east-1'));
    expect(store.listSnapshots()).toEqual([]);
  });
});

describe('advance: stored transitions, applied when due', () => {
  it('turns creating into available at the stored end, not before', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    store.addSnapshot({ ...snapshot('a', 10_000), status: 'creating', statusUntilMs: 10_500 });
    expect(store.advance(10_499)).toBe(false);
    expect(store.getSnapshot('a')?.status).toBe('creating');
    expect(store.advance(10_500)).toBe(true);
    expect(store.getSnapshot('a')).toMatchObject({ status: 'available', statusUntilMs: null });
    expect(store.advance(99_999)).toBe(false);
  });

  it('removes a deleting snapshot, tags and all, once its deletion ends', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    store.addSnapshot(snapshot('gone', 1));
    store.setSnapshotStatus('gone', 'deleting', 2000);
    store.advance(1999);
    expect(store.getTags('snapshot', 'gone')).toEqual([{ key: 'k', value: null }]);
    store.advance(2000);
    expect(store.getSnapshot('gone')).toBeUndefined();
    expect(store.getTags('snapshot', 'gone')).toBeUndefined();
  });

  it('ends an export: available again, its object in the bucket (replacing an earlier one), nothing if the bucket went', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    store.addSnapshot(snapshot('x', 1));
    store.setSnapshotStatus('x', 'exporting', 100, 'demo-exports');
    store.advance(100);
    expect(store.getSnapshot('x')).toMatchObject({ status: 'available', exportBucket: null });
    store.setSnapshotStatus('x', 'exporting', 200, 'demo-exports');
    store.advance(250);
    expect(store.getBucket('demo-exports')?.objects).toEqual([{ key: 'x.rdb', snapshotName: 'x', exportedAtMs: 200 }]);
    store.setSnapshotStatus('x', 'exporting', 300, 'demo-exports');
    store.removeBucket('demo-exports');
    store.advance(300);
    expect(store.getSnapshot('x')?.status).toBe('available');
  });

  it('turns a creating cache available; a status set by hand has no end', () => {
    const store = new EmulatorStore(seedState('us-east-1'));
    const cache = { ...seedState('us-east-1').caches[1]!, name: 'new', status: 'creating' as const, statusUntilMs: 50 };
    store.addCache(cache);
    store.advance(50);
    expect(store.getCache('new')?.status).toBe('available');
    store.setCacheStatus('new', 'creating');
    expect(store.advance(1e12)).toBe(false);
    expect(store.getCache('new')?.status).toBe('creating');
  });
});

describe('buckets and tags', () => {
  it('puts, moves and removes buckets; sets tags on snapshots and caches', () => {
    const store = new EmulatorStore(seedState('eu-west-1'));
    expect(store.listBuckets()).toEqual([{ name: 'demo-exports', region: 'eu-west-1', objects: [] }]);
    expect(store.putBucket('b2', 'us-east-1')).toBe(true);
    expect(store.putBucket('b2', 'eu-west-1')).toBe(false);
    expect(store.getBucket('b2')?.region).toBe('eu-west-1');
    expect(store.removeBucket('b2')).toBe(true);
    expect(store.setTags('cache', 'DEMO-REDIS', [{ key: 'a', value: 'b' }])).toBe(true);
    expect(store.getTags('cache', 'demo-redis')).toEqual([{ key: 'a', value: 'b' }]);
    expect(store.setTags('snapshot', 'nope', [])).toBe(false);
  });
});
