/**
 * In-memory store of serverless caches and snapshots. Pure: no I/O and no clock; callers pass
 * times in. Names are case-insensitive, as AWS stores them lower-cased, so every lookup
 * normalises its argument and callers cannot get that wrong.
 */
import type { CacheRecord, CacheStatus, SnapshotRecord, StateData } from './state';

export const normaliseName = (name: string): string => name.toLowerCase();

/** Snapshot listing order: creation time, then name. New snapshots sort last, which keeps paging stable. */
export function snapshotKey(s: SnapshotRecord): [number, string] {
  return [s.createTimeMs, s.name];
}

/**
 * A snapshot's status is derived from its age, not stored, so no timer is needed to flip it and
 * it is right after a restart too.
 */
export function snapshotStatus(s: SnapshotRecord, nowMs: number, availableAfterMs: number): 'creating' | 'available' {
  return nowMs - s.createTimeMs >= availableAfterMs ? 'available' : 'creating';
}

export class EmulatorStore {
  private caches = new Map<string, CacheRecord>();
  private snapshots = new Map<string, SnapshotRecord>();

  constructor(data: StateData) {
    this.replace(data);
  }

  /** Replaces all content (start-up, reset); the store keeps its own copies. */
  replace(data: StateData): void {
    this.caches = new Map(data.caches.map((c) => [c.name, structuredClone(c)]));
    this.snapshots = new Map(data.snapshots.map((s) => [s.name, structuredClone(s)]));
  }

  /** A deep copy, safe to serialise while the store keeps changing. */
  toData(): StateData {
    return { caches: structuredClone([...this.caches.values()]), snapshots: structuredClone([...this.snapshots.values()]) };
  }

  getCache(name: string): CacheRecord | undefined {
    return this.caches.get(normaliseName(name));
  }

  /** All caches ordered by name. */
  listCaches(): CacheRecord[] {
    return [...this.caches.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  setCacheStatus(name: string, status: CacheStatus): CacheRecord | undefined {
    const cache = this.caches.get(normaliseName(name));
    if (cache !== undefined) cache.status = status;
    return cache;
  }

  getSnapshot(name: string): SnapshotRecord | undefined {
    return this.snapshots.get(normaliseName(name));
  }

  addSnapshot(snapshot: SnapshotRecord): void {
    if (snapshot.name !== normaliseName(snapshot.name)) throw new Error(`snapshot name ${snapshot.name} is not normalised`);
    if (this.snapshots.has(snapshot.name)) throw new Error(`snapshot ${snapshot.name} already exists`);
    this.snapshots.set(snapshot.name, structuredClone(snapshot));
  }

  removeSnapshot(name: string): boolean {
    return this.snapshots.delete(normaliseName(name));
  }

  /** All snapshots in listing order (see `snapshotKey`). */
  listSnapshots(): SnapshotRecord[] {
    return [...this.snapshots.values()].sort((a, b) => a.createTimeMs - b.createTimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Snapshots taken from `cacheName` strictly after `sinceMs` (the daily quota's rolling window). */
  countSnapshotsSince(cacheName: string, sinceMs: number): number {
    const name = normaliseName(cacheName);
    let n = 0;
    for (const s of this.snapshots.values()) if (s.cacheName === name && s.createTimeMs > sinceMs) n++;
    return n;
  }
}
