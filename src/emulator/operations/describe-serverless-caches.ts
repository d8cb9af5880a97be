/**
 * DescribeServerlessCaches. The model states a default of 50 but no bounds for MaxResults; we
 * accept 1..100, the range most ElastiCache Describe operations document, and reject the rest
 * rather than clamp, so a client bug shows up here and not against AWS.
 */
import { invalidParameterValue, modeledFault } from '../faults';
import { decodeNextToken, encodeNextToken, paginate } from '../paging';
import { serverlessCacheShape, xmlList } from '../shapes';
import { optionalInteger, optionalString } from '../validation';
import type { Operation } from './types';

const LISTING = 'serverless-caches';
const DEFAULT_MAX_RESULTS = 50;
const MAX_RESULTS = 100;

export const describeServerlessCaches: Operation = (params, ctx) => {
  const maxResults = optionalInteger(params, 'MaxResults', 1, MAX_RESULTS) ?? DEFAULT_MAX_RESULTS;
  const token = optionalString(params, 'NextToken');
  const after = token === undefined ? undefined : decodeNextToken(LISTING, token, ['string']);
  if (token !== undefined && after === undefined) throw invalidParameterValue('The parameter NextToken is not a valid pagination token.');

  const name = optionalString(params, 'ServerlessCacheName');
  let caches = ctx.store.listCaches();
  if (name !== undefined) {
    const cache = ctx.store.getCache(name);
    if (cache === undefined) throw modeledFault('ServerlessCacheNotFoundFault', `Serverless cache ${name} not found.`);
    caches = [cache];
  }
  const { page, nextKey } = paginate(caches, (c) => [c.name], after, maxResults);
  return {
    NextToken: nextKey === undefined ? undefined : encodeNextToken(LISTING, nextKey),
    ServerlessCaches: xmlList(
      'member',
      page.map((c) => serverlessCacheShape(c, ctx.region)),
    ),
  };
};
