/**
 * ListTagsForResource on a serverless snapshot or cache ARN (see `tagging.ts` for how ARNs are
 * resolved). Answers in every state, `creating` included: the model's "if the cluster is not in
 * the available state, ListTagsForResource returns an error" is about node-based clusters, and a
 * serverless resource has its tags from the moment it is created.
 */
import { tagListShape } from '../shapes';
import { findTaggable, readResourceArn } from './tagging';
import type { Operation } from './types';

export const listTagsForResource: Operation = (params, ctx) => {
  const resource = findTaggable(ctx, readResourceArn(params, ctx));
  return tagListShape(resource.tags);
};
