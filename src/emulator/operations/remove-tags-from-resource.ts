/**
 * RemoveTagsFromResource on a serverless snapshot or cache ARN (`TagKeys.member.N`). Answers the
 * tags that remain.
 *
 * Check order: `ResourceName` (`InvalidARN`); `TagKeys` (required, at least one, none empty, no
 * `aws:` key: AWS's own tags cannot be removed); the resource must exist (404); it must not be
 * `deleting`; every key must be on the resource, else `TagNotFound` (404) naming the missing ones
 * and nothing is removed (the model lists the fault for this operation alone; keys are
 * case-sensitive). A key given twice is removed once.
 */
import { checkRemoveTags } from '../../aws/rules';
import { modeledFault } from '../faults';
import { tagListShape } from '../shapes';
import { raise, readStringList, wireRuleOptions } from '../validation';
import { commit } from './common';
import { findTaggable, readResourceArn, requireChangeable } from './tagging';
import type { Operation } from './types';

export const removeTagsFromResource: Operation = async (params, ctx) => {
  const ref = readResourceArn(params, ctx);
  const keys = readStringList(params, 'TagKeys', 'member') ?? [];
  raise(checkRemoveTags({ tagKeys: keys }, wireRuleOptions()));

  const resource = findTaggable(ctx, ref);
  requireChangeable(resource);
  const present = new Set(resource.tags.map((t) => t.key));
  const missing = [...new Set(keys)].filter((k) => !present.has(k));
  if (missing.length > 0) {
    throw modeledFault('TagNotFoundFault', `The resource ${ref.text} has no tag with the key ${missing.map((k) => `"${k}"`).join(', ')}.`);
  }

  const before = resource.tags;
  const removing = new Set(keys);
  const after = before.filter((t) => !removing.has(t.key));
  ctx.store.setTags(resource.kind, resource.name, after);
  await commit(ctx, () => ctx.store.setTags(resource.kind, resource.name, before));
  return tagListShape(after);
};
