/**
 * The faults AWS documents for its listing calls, as a reader of a list sees them: the caller
 * named something that is not there or passed a value AWS refuses. Both are the caller's to fix,
 * so they are `BAD_USER_INPUT` errors, with the gateway's own words for what is wrong.
 */
import { AwsFault } from '../elasticache/aws-fault';
import { redactAwsMessage } from '../elasticache/redact';
import { GatewayError, GatewayErrorCode } from '../errors';

/** A cache filter naming no cache (that the caller may see): the argument is wrong, not the gateway. */
export function noSuchCacheFilter(serverlessCacheName: string | null | undefined): GatewayError {
  return new GatewayError(GatewayErrorCode.BAD_USER_INPUT, `There is no serverless cache named "${serverlessCacheName ?? ''}".`, {
    argumentName: 'serverlessCacheName',
  });
}

/**
 * What a list reader throws when a page of it failed: a fault about the filter as `BAD_USER_INPUT`,
 * any other fault as unexpected, and failures that are not faults as they were.
 */
export function listPageError(error: unknown, filter: { serverlessCacheName?: string | null } = {}): unknown {
  if (!(error instanceof AwsFault)) return error;
  switch (error.name) {
    case 'ServerlessCacheNotFoundFault':
      return noSuchCacheFilter(filter.serverlessCacheName);
    case 'InvalidParameterValueException':
    case 'InvalidParameterCombinationException':
      // The gateway checks `first` and `after` itself, so what AWS refuses is a filter value.
      return new GatewayError(GatewayErrorCode.BAD_USER_INPUT, `AWS rejected a value in the request: ${redactAwsMessage(error.message)}`);
    default:
      return new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR);
  }
}
