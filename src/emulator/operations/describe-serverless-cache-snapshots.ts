/**
 * DescribeServerlessCacheSnapshots. Filters combine with AND; a named cache or snapshot that does
 * not exist is a 404 rather than an empty list (as AWS's fault list implies), while existing ones
 * that simply do not match the other filters give an empty page.
 */
import { invalidParameterValue, modeledFault } from '../faults';
import { decodeNextToken, encodeNextToken, paginate } from '../paging';
import { serverlessCacheSnapshotShape, xmlList } from '../shapes';
import { SNAPSHOT_TYPES } from '../state';
import { snapshotKey } from '../store';
import { optionalInteger, optionalString } from '../validation';
import type { Operation } from './types';

const LISTING = 'serverless-cache-snapshots';
// The model: "The default is 50 … a maximum of 50". It states no minimum; 0 would return nothing forever.
const MAX_RESULTS = 50;

export const describeServerlessCacheSnapshots: Operation = (params, ctx) => {
  const maxResults = optionalInteger(params, 'MaxResults', 1, MAX_RESULTS) ?? MAX_RESULTS;
  const snapshotType = optionalString(params, 'SnapshotType');
  if (snapshotType !== undefined && !(SNAPSHOT_TYPES as readonly string[]).includes(snapshotType)) {
    throw invalidParameterValue(`The parameter SnapshotType must be one of ${SNAPSHOT_TYPES.join(', ')}.`);
  }
  const token = optionalString(params, 'NextToken');
  const after = token === undefined ? undefined : decodeNextToken(LISTING, token, ['number', 'string']);
  if (token !== undefined && after === undefined) throw invalidParameterValue('The parameter NextToken is not a valid pagination token.');

  const cacheName = optionalString(params, 'ServerlessCacheName');
  const cache = cacheName === undefined ? undefined : ctx.store.getCache(cacheName);
  if (cacheName !== undefined && cache === undefined) throw modeledFault('ServerlessCacheNotFoundFault', `Serverless cache ${cacheName} not found.`);
  const snapshotName = optionalString(params, 'ServerlessCacheSnapshotName');
  const named = snapshotName === undefined ? undefined : ctx.store.getSnapshot(snapshotName);
  if (snapshotName !== undefined && named === undefined) {
    throw modeledFault('ServerlessCacheSnapshotNotFoundFault', `Serverless cache snapshot ${snapshotName} not found.`);
  }

  const matching = ctx.store
    .listSnapshots()
    .filter((s) => (cache === undefined || s.cacheName === cache.name) && (named === undefined || s.name === named.name) && (snapshotType === undefined || s.snapshotType === snapshotType));
  const { page, nextKey } = paginate(matching, snapshotKey, after, maxResults);
  return {
    NextToken: nextKey === undefined ? undefined : encodeNextToken(LISTING, nextKey),
    ServerlessCacheSnapshots: xmlList(
      'ServerlessCacheSnapshot',
      page.map((s) => serverlessCacheSnapshotShape(s, ctx)),
    ),
  };
};
