/**
 * CreateServerlessCacheSnapshot.
 *
 * Check order (AWS does not document one): every parameter check first, so a malformed request is
 * rejected whatever the account holds; then existence (the cache must exist: 404; the snapshot
 * name must be free); then the cache's state; then the daily quota last, so a client is told it
 * is rate-limited only when the request would otherwise have succeeded.
 */
import { invalidParameterValue, modeledFault } from '../faults';
import { serverlessCacheSnapshotShape } from '../shapes';
import type { SnapshotRecord } from '../state';
import { normaliseName } from '../store';
import { codePointLength, lengthBetween, optionalString, readTags, requiredString } from '../validation';
import type { Operation } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
// KMS accepts key ids, aliases and ARNs; 2048 is KMS's own KeyId limit.
const MAX_KMS_KEY_ID = 2048;

export const createServerlessCacheSnapshot: Operation = async (params, ctx) => {
  const requestedName = requiredString(params, 'ServerlessCacheSnapshotName');
  const cacheName = requiredString(params, 'ServerlessCacheName');
  // Stored lower-cased (model doc); the limit applies to what is stored.
  const name = lengthBetween('ServerlessCacheSnapshotName', normaliseName(requestedName), 1, 255);
  const kmsKeyId = optionalString(params, 'KmsKeyId');
  if (kmsKeyId !== undefined && codePointLength(kmsKeyId) > MAX_KMS_KEY_ID) {
    throw invalidParameterValue(`The parameter KmsKeyId must be at most ${MAX_KMS_KEY_ID} characters long.`);
  }
  const tags = readTags(params);

  const cache = ctx.store.getCache(cacheName);
  if (cache === undefined) throw modeledFault('ServerlessCacheNotFoundFault', `Serverless cache ${cacheName} not found.`);
  if (ctx.store.getSnapshot(name) !== undefined) {
    throw modeledFault('ServerlessCacheSnapshotAlreadyExistsFault', `Serverless cache snapshot ${name} already exists.`);
  }
  if (cache.status !== 'available') {
    throw modeledFault(
      'InvalidServerlessCacheStateFault',
      `Serverless cache ${cache.name} is not in the available state (it is ${cache.status}); snapshots can only be created from an available cache.`,
    );
  }
  const recent = ctx.store.countSnapshotsSince(cache.name, ctx.nowMs - DAY_MS);
  if (recent >= ctx.dailySnapshotQuotaPerCache) {
    throw modeledFault(
      'ServerlessCacheSnapshotQuotaExceededFault',
      `Serverless cache ${cache.name} has reached its quota of ${ctx.dailySnapshotQuotaPerCache} snapshots per 24 hours.`,
    );
  }

  const snapshot: SnapshotRecord = {
    name,
    cacheName: cache.name,
    engine: cache.engine,
    majorEngineVersion: cache.majorEngineVersion,
    // AWS is silent on the default; a snapshot of an encrypted cache plausibly keeps the cache's key.
    kmsKeyId: kmsKeyId ?? cache.kmsKeyId,
    snapshotType: 'manual',
    createTimeMs: ctx.nowMs,
    // Manual snapshots are kept until deleted, so they carry no expiry.
    expiryTimeMs: null,
    bytesUsedForCache: String(cache.bytesUsed),
    tags,
  };
  // Checks and insert run without an await in between, so concurrent creates cannot both pass.
  ctx.store.addSnapshot(snapshot);
  try {
    await ctx.persist();
  } catch (err) {
    // The client is told the create failed (InternalFailure) and may retry; it must not then find
    // the name taken. A later successful write drops it from the file too.
    ctx.store.removeSnapshot(name);
    throw err;
  }
  return { ServerlessCacheSnapshot: serverlessCacheSnapshotShape(snapshot, ctx) };
};
