/**
 * CopyServerlessCacheSnapshot: a new manual snapshot with the source's configuration (its cache,
 * engine and version, and data size), `creating` for `snapshotAvailableAfterMs`, then `available`.
 *
 * Check order, as for create: parameters (required members, then the shared rules: source and
 * target names, KmsKeyId, tags); the source must exist (404); the target name must be free; the
 * source must be `available`; the source cache's daily snapshot quota last.
 *
 * Decisions where AWS is silent: only the request's tags are stored (none when it has none, as
 * for create); KmsKeyId is the request's, else the source's; `CreateTime` is when the copy was
 * made (so new copies list last and paging stays stable); the source is left as it is (it stays
 * `available`); a copy counts against the source cache's daily quota, like a create from it.
 */
import { checkCopySnapshot } from '../../aws/rules';
import { modeledFault } from '../faults';
import { normaliseName } from '../store';
import { optionalString, raise, readTagList, requiredString, storedTags, wireRuleOptions } from '../validation';
import { addManualSnapshot, DAY_MS, existingSnapshot, requireAvailableSnapshot } from './common';
import type { Operation } from './types';

export const copyServerlessCacheSnapshot: Operation = async (params, ctx) => {
  const sourceName = requiredString(params, 'SourceServerlessCacheSnapshotName');
  const requestedTarget = requiredString(params, 'TargetServerlessCacheSnapshotName');
  const kmsKeyId = optionalString(params, 'KmsKeyId');
  const tags = readTagList(params);
  raise(
    checkCopySnapshot(
      { sourceServerlessCacheSnapshotName: sourceName, targetServerlessCacheSnapshotName: requestedTarget, kmsKeyId, tags: tags?.tags },
      wireRuleOptions(tags),
    ),
  );
  const name = normaliseName(requestedTarget);

  const source = existingSnapshot(ctx, sourceName);
  if (ctx.store.getSnapshot(name) !== undefined) {
    throw modeledFault('ServerlessCacheSnapshotAlreadyExistsFault', `Serverless cache snapshot ${name} already exists.`);
  }
  requireAvailableSnapshot(source, 'copied');
  const recent = ctx.store.countSnapshotsSince(source.cacheName, ctx.nowMs - DAY_MS);
  if (recent >= ctx.dailySnapshotQuotaPerCache) {
    throw modeledFault(
      'ServerlessCacheSnapshotQuotaExceededFault',
      `Serverless cache ${source.cacheName}, the source snapshot's cache, has reached its quota of ${ctx.dailySnapshotQuotaPerCache} snapshots per 24 hours.`,
    );
  }

  return await addManualSnapshot(ctx, {
    name,
    cacheName: source.cacheName,
    engine: source.engine,
    majorEngineVersion: source.majorEngineVersion,
    kmsKeyId: kmsKeyId ?? source.kmsKeyId,
    // A copy is the customer's own snapshot, kept until deleted, whatever the source was.
    bytesUsedForCache: source.bytesUsedForCache,
    tags: storedTags(tags?.tags),
  });
};
