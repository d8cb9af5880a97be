/**
 * Errors that reach clients in the `errors` array, and the mask that keeps everything else out.
 *
 * Faults AWS documents for an operation are not errors here: they are members of the operation's
 * result union (see src/elasticache/faults.ts). What comes back in `errors` is about the gateway's
 * ability to reach AWS at all, identified by a stable `extensions.code` from the enum below.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';

/** Every `extensions.code` the gateway itself puts on an error. */
export enum GatewayErrorCode {
  /** AWS kept throttling the account's calls after the SDK's retries; nothing was changed. Retry after a pause. */
  UPSTREAM_THROTTLED = 'UPSTREAM_THROTTLED',
  /**
   * AWS could not be reached or answered with a server error or not in time, and nothing was
   * changed (for a create: the gateway checked that no such snapshot exists). Retry later.
   */
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  /**
   * A change may or may not have happened: AWS's answer was lost and the gateway could not find
   * out. Retry with the same idempotency key, which settles it.
   */
  OUTCOME_UNKNOWN = 'OUTCOME_UNKNOWN',
  /** The idempotency key was used before, by the same caller, with a different input. Nothing ran. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  /** The gateway's AWS credentials are missing, invalid, or not allowed to do this. */
  UPSTREAM_ACCESS_DENIED = 'UPSTREAM_ACCESS_DENIED',
  /**
   * Anything unexpected; the detail is in the gateway's log under the same request id (or, for a
   * query that joined an identical one in flight, under the request id its log line names as `sharedRunOf`).
   */
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /** An argument is outside what the field accepts (reported by the field, before any AWS call). */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** No valid credential: HTTP 401 before anything runs, or a WebSocket closed with 4403. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The token's issuer could not be reached to check it: HTTP 503. Retry later. */
  AUTHENTICATION_UNAVAILABLE = 'AUTHENTICATION_UNAVAILABLE',
  /** The caller's credentials do not grant this field (a scope, or the cache named). */
  FORBIDDEN = 'FORBIDDEN',
  /** The caller spent its share for now: HTTP 429, with `retryAfterSeconds`. Nothing ran. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** A WebSocket already runs as many operations as one may; the socket stays usable. */
  SUBSCRIPTION_LIMIT_EXCEEDED = 'SUBSCRIPTION_LIMIT_EXCEEDED',
  /**
   * The gateway runs registered documents only (TRUSTED_DOCUMENTS_ONLY=true) and this one is not
   * registered: HTTP 400, nothing ran. Send a registered document, by its id or its exact text.
   */
  PERSISTED_QUERY_NOT_IN_LIST = 'PERSISTED_QUERY_NOT_IN_LIST',
  /**
   * The store the gateway's replicas share (Redis) could not be reached, and the mutation may not
   * run without it (an idempotency key's record); nothing was sent to AWS. Retry later.
   */
  DEPENDENCY_UNAVAILABLE = 'DEPENDENCY_UNAVAILABLE',
}

const MESSAGES: Record<GatewayErrorCode, string> = {
  [GatewayErrorCode.BAD_USER_INPUT]: 'Invalid argument.',
  [GatewayErrorCode.UNAUTHENTICATED]: 'Authentication required.',
  [GatewayErrorCode.AUTHENTICATION_UNAVAILABLE]: 'Credentials cannot be checked right now. Please retry in a few seconds.',
  [GatewayErrorCode.FORBIDDEN]: 'Your credentials do not allow this.',
  [GatewayErrorCode.RATE_LIMITED]: 'Rate limit reached. Please retry later.',
  [GatewayErrorCode.SUBSCRIPTION_LIMIT_EXCEEDED]: 'Too many operations on this connection.',
  [GatewayErrorCode.PERSISTED_QUERY_NOT_IN_LIST]:
    'This gateway runs registered documents only, and this document is not registered. Send a registered document by its id or its exact text.',
  [GatewayErrorCode.UPSTREAM_THROTTLED]: 'AWS is throttling requests right now. Please retry in a few seconds.',
  [GatewayErrorCode.UPSTREAM_UNAVAILABLE]: 'AWS ElastiCache could not be reached. Please retry later.',
  [GatewayErrorCode.OUTCOME_UNKNOWN]:
    'AWS did not confirm whether this change happened, and the gateway could not find out. Retry with the same idempotency key to settle it.',
  [GatewayErrorCode.IDEMPOTENCY_KEY_REUSED]: 'This idempotency key was already used with a different input. Use a new key for a new action.',
  [GatewayErrorCode.UPSTREAM_ACCESS_DENIED]:
    'The gateway is not allowed to perform this operation on AWS. Ask the gateway operator to check its AWS credentials and permissions.',
  [GatewayErrorCode.INTERNAL_SERVER_ERROR]: 'Internal server error.',
  [GatewayErrorCode.DEPENDENCY_UNAVAILABLE]:
    'The gateway cannot reach the store it keeps idempotency keys in, so nothing was sent to AWS. Please retry in a few seconds with the same idempotency key.',
};

/** Codes a client may retry as they are: each such error carries `extensions.retryable: true`. */
const RETRYABLE = new Set<GatewayErrorCode>([
  GatewayErrorCode.UPSTREAM_THROTTLED,
  GatewayErrorCode.UPSTREAM_UNAVAILABLE,
  GatewayErrorCode.OUTCOME_UNKNOWN,
  GatewayErrorCode.DEPENDENCY_UNAVAILABLE,
]);

/** The words a client gets for `code` when nothing more specific is said. */
export function defaultMessage(code: GatewayErrorCode): string {
  return MESSAGES[code];
}

/** An error the gateway raises on purpose: its message and code are written for clients. */
export class GatewayError extends GraphQLError {
  constructor(
    readonly code: GatewayErrorCode,
    message: string = MESSAGES[code],
    extra: Record<string, unknown> = {},
  ) {
    super(message, { extensions: RETRYABLE.has(code) ? { ...extra, code, retryable: true } : { ...extra, code } });
    this.name = 'GatewayError';
  }
}

/**
 * A store shared by the gateway's replicas (rate limits, idempotency records, snapshot polls) could
 * not be reached. Never shown to clients as it is: each caller decides what it means (fail open,
 * `DEPENDENCY_UNAVAILABLE`, poll locally).
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`the shared ${store} store cannot be reached: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Codes whose messages graphql-js or Apollo wrote for clients (syntax, validation, variables). Any
 * error that is neither one of these nor a `GatewayError` is replaced by a generic one: Apollo
 * passes messages through verbatim, and a thrown SDK or runtime error would otherwise leak class
 * names, endpoints or AWS text.
 */
const REQUEST_ERROR_CODES = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
]);

/** graphql-js's "Did you mean …?" tail (the same pattern Apollo's `hideSchemaDetailsFromClientErrors` removes). */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/** Whether an error's message and code may reach the client as they are. */
export function isClientSafe(original: unknown, code: unknown): boolean {
  if (original instanceof GatewayError) return true;
  return original instanceof GraphQLError && typeof code === 'string' && REQUEST_ERROR_CODES.has(code);
}

/**
 * Builds Apollo's `formatError` (and the WebSocket path's): keeps client-safe errors, masks the
 * rest. What it masks is logged with the request's id by src/observability/operations.ts.
 */
export function maskErrors() {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    if (isClientSafe(original, code)) {
      // Never hand out a stack trace, whatever the server's settings.
      // `http` is for the server's answer (status, headers), not the client's eyes.
      const { stacktrace: _stacktrace, http: _http, ...extensions } = formatted.extensions ?? {};
      // graphql-js suggests field and type names a caller may not know of; over HTTP and WebSocket alike.
      const message = code === ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED ? formatted.message.replace(SUGGESTION, '') : formatted.message;
      return { ...formatted, message, extensions };
    }
    return {
      message: MESSAGES[GatewayErrorCode.INTERNAL_SERVER_ERROR],
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: GatewayErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
