/** The AWS Actions the emulator implements. */
import { createServerlessCacheSnapshot } from './create-serverless-cache-snapshot';
import { describeServerlessCacheSnapshots } from './describe-serverless-cache-snapshots';
import { describeServerlessCaches } from './describe-serverless-caches';
import type { Operation } from './types';

export type { Operation, OperationContext } from './types';

export const OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ['CreateServerlessCacheSnapshot', createServerlessCacheSnapshot],
  ['DescribeServerlessCacheSnapshots', describeServerlessCacheSnapshots],
  ['DescribeServerlessCaches', describeServerlessCaches],
]);

export const IMPLEMENTED_ACTIONS: readonly string[] = [...OPERATIONS.keys()];
