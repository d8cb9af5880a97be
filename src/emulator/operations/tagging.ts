/**
 * What ListTagsForResource, AddTagsToResource and RemoveTagsFromResource share: resolving
 * `ResourceName` to a serverless snapshot or cache.
 *
 * - Not an ElastiCache ARN of this endpoint's partition, a resource type ElastiCache does not
 *   tag, or another region or account: `InvalidARN` (its doc: the ARN "does not refer to an
 *   existing resource"; nothing in another region exists for this endpoint).
 * - `serverlesscachesnapshot` / `serverlesscache` that does not exist: the serverless 404s.
 * - Another taggable type (cluster, snapshot, user …): the emulator holds none, so its own
 *   not-found fault (`CacheClusterNotFound`, `SnapshotNotFoundFault` …).
 */
import { foreignArnProblem, parseElastiCacheArn, SERVERLESS_CACHE_TYPE, SERVERLESS_SNAPSHOT_TYPE, UNEMULATED_TAGGABLE_TYPES } from '../arn';
import { modeledFault, type AwsError } from '../faults';
import type { FormParams } from '../form';
import type { Tag } from '../state';
import type { TaggableKind } from '../store';
import { requiredString } from '../validation';
import { snapshotNotFound } from './common';
import type { OperationContext } from './types';

export interface TaggableResource {
  kind: TaggableKind;
  name: string;
  status: string;
  tags: Tag[];
}

const invalidArn = (arn: string, problem: string): AwsError => modeledFault('InvalidARNFault', `The parameter ResourceName (${arn}) is not a valid ARN for this endpoint: ${problem}`);

/** The `ResourceName` parameter, checked as an ARN of this endpoint (a parameter check: no lookup). */
export function readResourceArn(params: FormParams, ctx: OperationContext): { text: string; kind: TaggableKind | undefined; name: string; resourceType: string } {
  const text = requiredString(params, 'ResourceName');
  const parsed = parseElastiCacheArn(text);
  if ('problem' in parsed) throw invalidArn(text, parsed.problem);
  const { arn } = parsed;
  const foreign = foreignArnProblem(arn, ctx.region);
  if (foreign !== undefined) throw invalidArn(text, foreign);
  const kind = arn.resourceType === SERVERLESS_SNAPSHOT_TYPE ? 'snapshot' : arn.resourceType === SERVERLESS_CACHE_TYPE ? 'cache' : undefined;
  if (kind === undefined && UNEMULATED_TAGGABLE_TYPES[arn.resourceType] === undefined) {
    throw invalidArn(text, `ElastiCache has no taggable resource type ${arn.resourceType}.`);
  }
  return { text, kind, name: arn.name, resourceType: arn.resourceType };
}

/** The resource the ARN names, or the not-found fault of its type. */
export function findTaggable(ctx: OperationContext, ref: ReturnType<typeof readResourceArn>): TaggableResource {
  if (ref.kind === 'snapshot') {
    const s = ctx.store.getSnapshot(ref.name);
    if (s === undefined) throw snapshotNotFound(ref.name);
    return { kind: 'snapshot', name: s.name, status: s.status, tags: s.tags };
  }
  if (ref.kind === 'cache') {
    const c = ctx.store.getCache(ref.name);
    if (c === undefined) throw modeledFault('ServerlessCacheNotFoundFault', `Serverless cache ${ref.name} not found.`);
    return { kind: 'cache', name: c.name, status: c.status, tags: c.tags };
  }
  const fault = UNEMULATED_TAGGABLE_TYPES[ref.resourceType] ?? 'InvalidARNFault';
  throw modeledFault(fault, `No ${ref.resourceType} named ${ref.name} exists (the ElastiCache emulator holds serverless caches and their snapshots only).`);
}

/** Tags cannot be changed on a resource being deleted: its state fault. */
export function requireChangeable(resource: TaggableResource): void {
  if (resource.status !== 'deleting') return;
  if (resource.kind === 'snapshot') {
    throw modeledFault('InvalidServerlessCacheSnapshotStateFault', `Serverless cache snapshot ${resource.name} is being deleted; its tags can no longer be changed.`);
  }
  throw modeledFault('InvalidServerlessCacheStateFault', `Serverless cache ${resource.name} is being deleted; its tags can no longer be changed.`);
}
