/**
 * The faults AWS documents for its listing calls, as a reader of a list sees them: the caller
 * named something that is not there or passed a value AWS refuses. Both are the caller's to fix,
 * so they are `BAD_USER_INPUT` errors, with the gateway's own words for what is wrong.
 */
import type { FaultResult } from '../elasticache/faults';
import { GatewayError, GatewayErrorCode } from '../errors';
import type { UpstreamPage } from './connection';

/** A cache filter naming no cache (that the caller may see): the argument is wrong, not the gateway. */
export function noSuchCacheFilter(serverlessCacheName: string | undefined): GatewayError {
  return new GatewayError(GatewayErrorCode.BAD_USER_INPUT, `There is no serverless cache named "${serverlessCacheName}".`, {
    argumentName: 'serverlessCacheName',
  });
}

export function upstreamPageOrBadInput<T>(result: UpstreamPage<T> | FaultResult): UpstreamPage<T> {
  if (!('__typename' in result)) return result;
  switch (result.__typename) {
    case 'ServerlessCacheNotFoundFault':
      throw noSuchCacheFilter(result.serverlessCacheName);
    case 'InvalidParameterValueException':
    case 'InvalidParameterCombinationException':
      // The gateway checks `first` and `after` itself, so what AWS refuses is a filter value.
      throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, result.message);
    default:
      throw new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR);
  }
}
