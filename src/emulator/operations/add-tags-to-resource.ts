/**
 * AddTagsToResource on a serverless snapshot or cache ARN. A key already on the resource gets the
 * new value (in its place); new keys are appended. Answers the resource's tags after the change.
 *
 * Check order: `ResourceName` (required, an ARN of this endpoint: `InvalidARN`); `Tags` (required,
 * at least one; each tag by the shared rules, and no more than 50 in the request itself); the
 * resource must exist (its 404); it must not be `deleting` (its state fault); then the 50-tag
 * quota counted after the merge (`TagQuotaPerResourceExceeded`).
 */
import { checkAddTags, checkTags } from '../../aws/rules';
import { invalidParameterValue } from '../faults';
import { tagListShape } from '../shapes';
import type { Tag } from '../state';
import { raise, readTagList, storedTags, wireRuleOptions } from '../validation';
import { commit } from './common';
import { findTaggable, readResourceArn, requireChangeable } from './tagging';
import type { Operation } from './types';

/** `existing` with `added` merged in: overwritten values keep their place, new keys go last. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = existing.map((t) => ({ ...t }));
  for (const tag of added) {
    const at = merged.findIndex((t) => t.key === tag.key);
    if (at === -1) merged.push({ ...tag });
    else merged[at] = { ...tag };
  }
  return merged;
}

export const addTagsToResource: Operation = async (params, ctx) => {
  const ref = readResourceArn(params, ctx);
  const wire = readTagList(params);
  if (wire === undefined || wire.tags.length === 0) throw invalidParameterValue('The parameter Tags must contain at least one tag.');
  const options = wireRuleOptions(wire);
  raise(checkTags(wire.tags, options));

  const resource = findTaggable(ctx, ref);
  requireChangeable(resource);
  raise(checkAddTags({ tags: wire.tags, existingTags: resource.tags }, options));

  const before = resource.tags;
  const after = mergeTags(before, storedTags(wire.tags));
  ctx.store.setTags(resource.kind, resource.name, after);
  await commit(ctx, () => ctx.store.setTags(resource.kind, resource.name, before));
  return tagListShape(after);
};
