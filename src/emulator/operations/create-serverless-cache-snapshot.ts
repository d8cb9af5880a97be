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
import { normaliseName } from '../store';
import { optionalString, raise, readTagList, requiredString, storedTags, wireRuleOptions } from '../validation';
import { addManualSnapshot, DAY_MS } from './common';
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

  // Checks and insert run without an await in between, so concurrent creates cannot both pass.
  return await addManualSnapshot(ctx, {
    name,
    cacheName: cache.name,
    engine: cache.engine,
    majorEngineVersion: cache.majorEngineVersion,
    // AWS is silent on the default; a snapshot of an encrypted cache plausibly keeps the cache's key.
    kmsKeyId: kmsKeyId ?? cache.kmsKeyId,
    bytesUsedForCache: String(cache.bytesUsed),
    tags: storedTags(tags?.tags),
  });
};
