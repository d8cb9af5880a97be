/**
 * ExportServerlessCacheSnapshot: the snapshot is `exporting` for `snapshotExportAfterMs`, then
 * `available` again, and its data (an object `<snapshot>.rdb`) is in the bucket.
 *
 * Buckets are the emulator's own (seed `demo-exports`, more through the admin API). The model has
 * no bucket fault for this operation, so every bucket problem is `InvalidParameterValue`, as is a
 * Memcached snapshot ("Available for Valkey and Redis OSS only").
 *
 * Check order: required members and the bucket name's syntax; the snapshot must exist (404); then
 * the lasting problems (a Memcached snapshot, a missing bucket, a bucket in another region) before
 * the passing one (the snapshot's state), so a client told to wait and retry will then succeed.
 */
import { invalidParameterValue } from '../faults';
import { serverlessCacheSnapshotShape } from '../shapes';
import { bucketNameProblem } from '../buckets';
import { requiredString } from '../validation';
import { commit, existingSnapshot, requireAvailableSnapshot, transitionEnd } from './common';
import type { Operation } from './types';

export const exportServerlessCacheSnapshot: Operation = async (params, ctx) => {
  const snapshotName = requiredString(params, 'ServerlessCacheSnapshotName');
  const bucketName = requiredString(params, 'S3BucketName');
  const problem = bucketNameProblem(bucketName);
  if (problem !== undefined) throw invalidParameterValue(`The parameter S3BucketName is not a valid S3 bucket name: ${problem}`);

  const snapshot = existingSnapshot(ctx, snapshotName);
  if (snapshot.engine === 'memcached') {
    throw invalidParameterValue(`Serverless cache snapshot ${snapshot.name} is a Memcached snapshot; only Valkey and Redis OSS snapshots can be exported.`);
  }
  const bucket = ctx.store.getBucket(bucketName);
  if (bucket === undefined) throw invalidParameterValue(`The S3 bucket ${bucketName} does not exist.`);
  if (bucket.region !== ctx.region) {
    throw invalidParameterValue(`The S3 bucket ${bucketName} is in ${bucket.region}; it must be in the same region as the snapshot (${ctx.region}).`);
  }
  requireAvailableSnapshot(snapshot, 'exported');

  const before = structuredClone(snapshot);
  const bucketBefore = structuredClone(bucket);
  ctx.store.setSnapshotStatus(snapshot.name, 'exporting', transitionEnd(ctx, ctx.snapshotExportAfterMs), bucket.name);
  ctx.store.advance(ctx.nowMs);
  const answer = { ServerlessCacheSnapshot: serverlessCacheSnapshotShape(ctx.store.getSnapshot(snapshot.name) ?? before, ctx) };
  await commit(ctx, () => {
    ctx.store.restoreSnapshot(before);
    // With no delay configured the export has already landed; it did not happen.
    ctx.store.restoreBucket(bucketBefore);
  });
  return answer;
};
