import { GatewayErrorCode } from '../../src/errors';
import { classifyUpstreamError } from '../../src/elasticache/upstream-errors';

/** An error shaped as the SDK throws it for an answer with this code and HTTP status. */
const awsError = (name: string, httpStatusCode: number) =>
  Object.assign(new Error('text'), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });

const networkError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('classifyUpstreamError', () => {
  it.each([
    [awsError('Throttling', 400), GatewayErrorCode.UPSTREAM_THROTTLED],
    [awsError('RequestLimitExceeded', 400), GatewayErrorCode.UPSTREAM_THROTTLED],
    [awsError('TooManyRequests', 429), GatewayErrorCode.UPSTREAM_THROTTLED],
    [awsError('AccessDenied', 403), GatewayErrorCode.UPSTREAM_ACCESS_DENIED],
    [awsError('SignatureDoesNotMatch', 403), GatewayErrorCode.UPSTREAM_ACCESS_DENIED],
    [awsError('Anything', 401), GatewayErrorCode.UPSTREAM_ACCESS_DENIED],
    [Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }), GatewayErrorCode.UPSTREAM_ACCESS_DENIED],
    [awsError('InternalFailure', 500), GatewayErrorCode.UPSTREAM_UNAVAILABLE],
    [awsError('ServiceUnavailable', 503), GatewayErrorCode.UPSTREAM_UNAVAILABLE],
    [awsError('Unknown', 502), GatewayErrorCode.UPSTREAM_UNAVAILABLE],
    [networkError('ECONNREFUSED'), GatewayErrorCode.UPSTREAM_UNAVAILABLE],
    [networkError('ENOTFOUND'), GatewayErrorCode.UPSTREAM_UNAVAILABLE],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), GatewayErrorCode.UPSTREAM_UNAVAILABLE],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), GatewayErrorCode.UPSTREAM_UNAVAILABLE],
    [awsError('ValidationError', 400), GatewayErrorCode.INTERNAL_SERVER_ERROR],
    [new TypeError('x is undefined'), GatewayErrorCode.INTERNAL_SERVER_ERROR],
    ['a string', GatewayErrorCode.INTERNAL_SERVER_ERROR],
  ])('%p is %s', (error, code) => {
    expect(classifyUpstreamError(error)).toBe(code);
  });
});
