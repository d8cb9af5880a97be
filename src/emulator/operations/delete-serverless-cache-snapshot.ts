/**
 * DeleteServerlessCacheSnapshot: answers the snapshot with Status `deleting`; it stays listed (and
 * its name taken) for `snapshotDeleteAfterMs`, then it is gone, tags and all.
 *
 * Check order: the name is required; the snapshot must exist (404); it must be `available`
 * (`creating`, `exporting` and `deleting` ones answer `InvalidServerlessCacheSnapshotStateFault`,
 * so deleting twice is refused rather than silently repeated).
 */
import { serverlessCacheSnapshotShape } from '../shapes';
import { requiredString } from '../validation';
import { commit, existingSnapshot, requireAvailableSnapshot, transitionEnd } from './common';
import type { Operation } from './types';

export const deleteServerlessCacheSnapshot: Operation = async (params, ctx) => {
  const snapshot = existingSnapshot(ctx, requiredString(params, 'ServerlessCacheSnapshotName'));
  requireAvailableSnapshot(snapshot, 'deleted');

  const before = structuredClone(snapshot);
  const deleting = ctx.store.setSnapshotStatus(snapshot.name, 'deleting', transitionEnd(ctx, ctx.snapshotDeleteAfterMs)) ?? snapshot;
  // Answered as `deleting` even when no delay is configured and it is gone at once.
  const answer = { ServerlessCacheSnapshot: serverlessCacheSnapshotShape(deleting, ctx) };
  ctx.store.advance(ctx.nowMs);
  await commit(ctx, () => ctx.store.restoreSnapshot(before));
  return answer;
};
