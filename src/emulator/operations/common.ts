/** Pieces several operations share: lookups that answer the modeled 404s, and durable changes. */
import { modeledFault } from '../faults';
import { serverlessCacheSnapshotShape } from '../shapes';
import type { SnapshotRecord } from '../state';
import type { OperationContext } from './types';

export const DAY_MS = 24 * 60 * 60 * 1000;

export function snapshotNotFound(name: string): Error {
  return modeledFault('ServerlessCacheSnapshotNotFoundFault', `Serverless cache snapshot ${name} not found.`);
}

/** The snapshot named `name`, or the 404 fault. */
export function existingSnapshot(ctx: OperationContext, name: string): SnapshotRecord {
  const snapshot = ctx.store.getSnapshot(name);
  if (snapshot === undefined) throw snapshotNotFound(name);
  return snapshot;
}

/** `InvalidServerlessCacheSnapshotStateFault` unless the snapshot is `available`. */
export function requireAvailableSnapshot(snapshot: SnapshotRecord, doing: string): void {
  if (snapshot.status !== 'available') {
    throw modeledFault(
      'InvalidServerlessCacheSnapshotStateFault',
      `Serverless cache snapshot ${snapshot.name} is not in the available state (it is ${snapshot.status}); only an available snapshot can be ${doing}.`,
    );
  }
}

/** When a transition started now ends: a zero delay ends it at once (on the store's next `advance`). */
export const transitionEnd = (ctx: OperationContext, delayMs: number): number => ctx.nowMs + Math.max(0, delayMs);

/**
 * Persists a change already made to the store; if that fails, `undo` puts the store back before
 * the error (an `InternalFailure` for the client) propagates, so a client that retries does not
 * find a change it was told failed. A later successful write drops it from the file too.
 */
export async function commit(ctx: OperationContext, undo: () => void): Promise<void> {
  try {
    await ctx.persist();
  } catch (err) {
    undo();
    throw err;
  }
}

/** What differs between the ways a manual snapshot comes to be (a create, a copy). */
export type NewSnapshot = Pick<SnapshotRecord, 'name' | 'cacheName' | 'engine' | 'majorEngineVersion' | 'kmsKeyId' | 'bytesUsedForCache' | 'tags'>;

/**
 * Adds a new manual snapshot (`creating`, kept until deleted), saves it, and answers it as this
 * request left it. Call it right after the checks, with no await in between, so two concurrent
 * requests cannot both pass them.
 */
export async function addManualSnapshot(ctx: OperationContext, fields: NewSnapshot): Promise<{ ServerlessCacheSnapshot: ReturnType<typeof serverlessCacheSnapshotShape> }> {
  const snapshot: SnapshotRecord = {
    ...fields,
    snapshotType: 'manual',
    createTimeMs: ctx.nowMs,
    // Manual snapshots are kept until deleted, so they carry no expiry.
    expiryTimeMs: null,
    status: 'creating',
    statusUntilMs: transitionEnd(ctx, ctx.snapshotAvailableAfterMs),
    exportBucket: null,
  };
  ctx.store.addSnapshot(snapshot);
  // With no delay configured the snapshot is available at once, in this very answer.
  ctx.store.advance(ctx.nowMs);
  // The answer is the snapshot as this request left it, whatever other requests do meanwhile.
  const answer = { ServerlessCacheSnapshot: serverlessCacheSnapshotShape(ctx.store.getSnapshot(fields.name) ?? snapshot, ctx) };
  await commit(ctx, () => ctx.store.removeSnapshot(fields.name));
  return answer;
}
