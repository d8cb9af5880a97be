/**
 * Classifies a failure of an ElastiCache call that is not a fault AWS documents for the operation,
 * into the one `extensions.code` a client gets for it. The SDK's own classifiers decide what is
 * throttling or transient, so the gateway agrees with the retry strategy that has just given up.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';
import { GatewayErrorCode } from '../errors';

/** Codes with which AWS refuses the caller's identity or permissions (IAM, STS, SigV4). */
const ACCESS_DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthFailure',
  'ExpiredToken',
  'ExpiredTokenException',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'InvalidCredentialsException',
  'MissingAuthenticationToken',
  'NotAuthorized',
  'OptInRequired',
  'SignatureDoesNotMatch',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  // Raised by the SDK itself when its credential chain finds nothing to sign with.
  'CredentialsProviderError',
]);

/** Names of the errors an aborted call ends with (our per-call deadline, or a request timeout). */
const DEADLINE_NAMES = new Set(['AbortError', 'TimeoutError']);

export function classifyUpstreamError(error: unknown): GatewayErrorCode {
  if (typeof error !== 'object' || error === null) return GatewayErrorCode.INTERNAL_SERVER_ERROR;
  const e = error as SdkError & { code?: string };
  const status = e.$metadata?.httpStatusCode;
  if (ACCESS_DENIED_CODES.has(e.name) || status === 401 || status === 403) {
    return GatewayErrorCode.UPSTREAM_ACCESS_DENIED;
  }
  if (isThrottlingError(e)) return GatewayErrorCode.UPSTREAM_THROTTLED;
  if (DEADLINE_NAMES.has(e.name) || isTransientError(e) || isServerError(e)) {
    return GatewayErrorCode.UPSTREAM_UNAVAILABLE;
  }
  return GatewayErrorCode.INTERNAL_SERVER_ERROR;
}
