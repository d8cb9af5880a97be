import { GatewayError, GatewayErrorCode } from '../src/errors';

/**
 * A member AWS always sends but its model marks optional. Its absence is an upstream contract
 * violation, answered as an internal error rather than a null in a non-null field.
 */
export function present<T>(value: T | undefined, member: string): T {
  if (value === undefined) {
    throw new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR, undefined, { missingUpstreamMember: member });
  }
  return value;
}
