/**
 * In-memory store of serverless caches, snapshots and S3 buckets. Pure: no I/O and no clock;
 * callers pass times in. Names of caches and snapshots are case-insensitive, as AWS stores them
 * lower-cased, so every lookup normalises its argument and callers cannot get that wrong.
 *
 * Records go in and come out of `toData` as copies; getters return the live record for reading,
 * and every change goes through a method here.
 */
import type { BucketRecord, CacheRecord, CacheStatus, SnapshotRecord, SnapshotStatus, StateData, Tag } from './state';

export const normaliseName = (name: string): string => name.toLowerCase();

/** Snapshot listing order: creation time, then name. New snapshots sort last, which keeps paging stable. */
export function snapshotKey(s: SnapshotRecord): [number, string] {
  return [s.createTimeMs, s.name];
}

/** The object an export of `snapshotName` writes (AWS exports Valkey and Redis OSS data as RDB). */
export const exportObjectKey = (snapshotName: string): string => `${snapshotName}.rdb`;

/** What a taggable resource is, for the tag methods. */
export type TaggableKind = 'snapshot' | 'cache';

export class EmulatorStore {
  private caches = new Map<string, CacheRecord>();
  private snapshots = new Map<string, SnapshotRecord>();
  private buckets = new Map<string, BucketRecord>();

  constructor(data: StateData) {
    this.replace(data);
  }

  /** Replaces all content (start-up, reset); the store keeps its own copies. */
  replace(data: StateData): void {
    this.caches = new Map(data.caches.map((c) => [c.name, structuredClone(c)]));
    this.snapshots = new Map(data.snapshots.map((s) => [s.name, structuredClone(s)]));
    this.buckets = new Map(data.buckets.map((b) => [b.name, structuredClone(b)]));
  }

  /** A deep copy, safe to serialise while the store keeps changing. */
  toData(): StateData {
    return {
      caches: structuredClone([...this.caches.values()]),
      snapshots: structuredClone([...this.snapshots.values()]),
      buckets: structuredClone([...this.buckets.values()]),
    };
  }

  /**
   * Applies every transition that has ended by `nowMs`: `creating`/`exporting` snapshots become
   * `available` (an export's object lands in its bucket, if the bucket still exists), `deleting`
   * snapshots disappear with their tags, `creating` caches become `available`. True when anything
   * changed. The outcome depends only on the stored end times, so applying it late (after a
   * restart, or when a write of it was lost) gives the same state.
   */
  advance(nowMs: number): boolean {
    let changed = false;
    for (const s of [...this.snapshots.values()]) {
      if (s.statusUntilMs === null || s.statusUntilMs > nowMs) continue;
      changed = true;
      if (s.status === 'deleting') {
        this.snapshots.delete(s.name);
        continue;
      }
      if (s.status === 'exporting' && s.exportBucket !== null) {
        const bucket = this.buckets.get(s.exportBucket);
        if (bucket !== undefined) {
          const key = exportObjectKey(s.name);
          bucket.objects = [...bucket.objects.filter((o) => o.key !== key), { key, snapshotName: s.name, exportedAtMs: s.statusUntilMs }];
        }
      }
      s.status = 'available';
      s.statusUntilMs = null;
      s.exportBucket = null;
    }
    for (const c of this.caches.values()) {
      if (c.statusUntilMs === null || c.statusUntilMs > nowMs) continue;
      changed = true;
      if (c.status === 'creating') c.status = 'available';
      c.statusUntilMs = null;
    }
    return changed;
  }

  // Caches

  getCache(name: string): CacheRecord | undefined {
    return this.caches.get(normaliseName(name));
  }

  /** All caches ordered by name. */
  listCaches(): CacheRecord[] {
    return [...this.caches.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  cacheCount(): number {
    return this.caches.size;
  }

  addCache(cache: CacheRecord): void {
    if (cache.name !== normaliseName(cache.name)) throw new Error(`cache name ${cache.name} is not normalised`);
    if (this.caches.has(cache.name)) throw new Error(`cache ${cache.name} already exists`);
    this.caches.set(cache.name, structuredClone(cache));
  }

  removeCache(name: string): boolean {
    return this.caches.delete(normaliseName(name));
  }

  /** Sets the status by hand (admin API): it then stays until changed, no transition runs. */
  setCacheStatus(name: string, status: CacheStatus): CacheRecord | undefined {
    const cache = this.caches.get(normaliseName(name));
    if (cache !== undefined) {
      cache.status = status;
      cache.statusUntilMs = null;
    }
    return cache;
  }

  // Snapshots

  getSnapshot(name: string): SnapshotRecord | undefined {
    return this.snapshots.get(normaliseName(name));
  }

  addSnapshot(snapshot: SnapshotRecord): void {
    if (snapshot.name !== normaliseName(snapshot.name)) throw new Error(`snapshot name ${snapshot.name} is not normalised`);
    if (this.snapshots.has(snapshot.name)) throw new Error(`snapshot ${snapshot.name} already exists`);
    this.snapshots.set(snapshot.name, structuredClone(snapshot));
  }

  /** Puts a record back as it was (undoing a change whose persistence failed). */
  restoreSnapshot(snapshot: SnapshotRecord): void {
    this.snapshots.set(snapshot.name, structuredClone(snapshot));
  }

  removeSnapshot(name: string): boolean {
    return this.snapshots.delete(normaliseName(name));
  }

  /**
   * Starts a transition: the snapshot is `status` until `untilMs` (see `advance`); `exportBucket`
   * names the bucket of an export.
   */
  setSnapshotStatus(name: string, status: SnapshotStatus, untilMs: number | null, exportBucket: string | null = null): SnapshotRecord | undefined {
    const snapshot = this.snapshots.get(normaliseName(name));
    if (snapshot !== undefined) {
      snapshot.status = status;
      snapshot.statusUntilMs = untilMs;
      snapshot.exportBucket = exportBucket;
    }
    return snapshot;
  }

  /** All snapshots in listing order (see `snapshotKey`). */
  listSnapshots(): SnapshotRecord[] {
    return [...this.snapshots.values()].sort((a, b) => a.createTimeMs - b.createTimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Snapshots of `cacheName` (taken or copied from its snapshots) created strictly after `sinceMs`. */
  countSnapshotsSince(cacheName: string, sinceMs: number): number {
    const name = normaliseName(cacheName);
    let n = 0;
    for (const s of this.snapshots.values()) if (s.cacheName === name && s.createTimeMs > sinceMs) n++;
    return n;
  }

  // Tags (kept on the record, so a deleted resource's tags go with it)

  getTags(kind: TaggableKind, name: string): Tag[] | undefined {
    const record = kind === 'snapshot' ? this.getSnapshot(name) : this.getCache(name);
    return record === undefined ? undefined : structuredClone(record.tags);
  }

  setTags(kind: TaggableKind, name: string, tags: Tag[]): boolean {
    const record = kind === 'snapshot' ? this.getSnapshot(name) : this.getCache(name);
    if (record === undefined) return false;
    record.tags = structuredClone(tags);
    return true;
  }

  // Buckets (names are exact: S3 bucket names are lower case by rule)

  getBucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name);
  }

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Creates the bucket, or moves an existing one to `region` keeping its objects; true when created. */
  putBucket(name: string, region: string): boolean {
    const existing = this.buckets.get(name);
    if (existing !== undefined) {
      existing.region = region;
      return false;
    }
    this.buckets.set(name, { name, region, objects: [] });
    return true;
  }

  /** Puts a bucket back as it was (undoing a change whose persistence failed). */
  restoreBucket(bucket: BucketRecord): void {
    this.buckets.set(bucket.name, structuredClone(bucket));
  }

  removeBucket(name: string): boolean {
    return this.buckets.delete(name);
  }
}
