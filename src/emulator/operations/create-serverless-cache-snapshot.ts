/**
 * CreateServerlessCacheSnapshot.
 *
 * Check order (AWS does not document one): every parameter check first (required members, then
 * the shared rules of `src/aws/rules.ts`: names, KmsKeyId, tags), so a malformed request is
 * rejected whatever the account holds; then existence (the cache must exist: 404; the snapshot
 * name must be free); then the cache's state; then the daily quota last, so a client is told it
 * is rate-limited only when the request would otherwise have succeeded.
 */
import { checkCreateSnapshot } from '../../aws/rules';
import { modeledFault } from '../faults';
import { serverlessCacheSnapshotShape } from '../shapes';
import type { SnapshotRecord } from '../state';
import { normaliseName } from '../store';
import { optionalString, raise, readTagList, requiredString, storedTags, wireRuleOptions } from '../validation';
import { commit, DAY_MS, transitionEnd } from './common';
import type { Operation } from './types';

export const createServerlessCacheSnapshot: Operation = async (params, ctx) => {
  const requestedName = requiredString(params, 'ServerlessCacheSnapshotName');
  const cacheName = requiredString(params, 'ServerlessCacheName');
  const kmsKeyId = optionalString(params, 'KmsKeyId');
  const tags = readTagList(params);
  raise(checkCreateSnapshot({ serverlessCacheSnapshotName: requestedName, serverlessCacheName: cacheName, kmsKeyId, tags: tags?.tags }, wireRuleOptions(tags)));
  // Stored lower-cased (model doc); the rules measured what is stored.
  const name = normaliseName(requestedName);

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
    tags: storedTags(tags?.tags),
    status: 'creating',
    statusUntilMs: transitionEnd(ctx, ctx.snapshotAvailableAfterMs),
    exportBucket: null,
  };
  // Checks and insert run without an await in between, so concurrent creates cannot both pass.
  ctx.store.addSnapshot(snapshot);
  // With no delay configured the snapshot is available at once, in this very answer.
  ctx.store.advance(ctx.nowMs);
  // The answer is the snapshot as this request left it, whatever other requests do meanwhile.
  const answer = { ServerlessCacheSnapshot: serverlessCacheSnapshotShape(ctx.store.getSnapshot(name) ?? snapshot, ctx) };
  await commit(ctx, () => ctx.store.removeSnapshot(name));
  return answer;
};
