/** The AWS Actions the emulator implements. */
import { addTagsToResource } from './add-tags-to-resource';
import { copyServerlessCacheSnapshot } from './copy-serverless-cache-snapshot';
import { createServerlessCache } from './create-serverless-cache';
import { createServerlessCacheSnapshot } from './create-serverless-cache-snapshot';
import { deleteServerlessCacheSnapshot } from './delete-serverless-cache-snapshot';
import { describeServerlessCacheSnapshots } from './describe-serverless-cache-snapshots';
import { describeServerlessCaches } from './describe-serverless-caches';
import { exportServerlessCacheSnapshot } from './export-serverless-cache-snapshot';
import { listTagsForResource } from './list-tags-for-resource';
import { removeTagsFromResource } from './remove-tags-from-resource';
import type { Operation } from './types';

export type { Operation, OperationContext } from './types';

export const OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ['CreateServerlessCacheSnapshot', createServerlessCacheSnapshot],
  ['DescribeServerlessCacheSnapshots', describeServerlessCacheSnapshots],
  ['DescribeServerlessCaches', describeServerlessCaches],
  ['CopyServerlessCacheSnapshot', copyServerlessCacheSnapshot],
  ['DeleteServerlessCacheSnapshot', deleteServerlessCacheSnapshot],
  ['ExportServerlessCacheSnapshot', exportServerlessCacheSnapshot],
  ['CreateServerlessCache', createServerlessCache],
  ['ListTagsForResource', listTagsForResource],
  ['AddTagsToResource', addTagsToResource],
  ['RemoveTagsFromResource', removeTagsFromResource],
]);

export const IMPLEMENTED_ACTIONS: readonly string[] = [...OPERATIONS.keys()];
