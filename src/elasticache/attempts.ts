/**
 * What became of each attempt of one AWS call, as far as the gateway can tell. The SDK retries on
 * its own and reports only the last error, but a create's first attempt may have been recorded by
 * AWS and its answer lost while the retry is refused: deciding whether AWS created anything needs
 * every attempt's fate, not the last one's.
 */
export type AttemptFate =
  /** The request never left: refused, unresolvable, or no connection in time. AWS saw nothing. */
  | 'not-sent'
  /** AWS answered with a 4xx error (throttling, access denied, a fault): it did nothing. */
  | 'refused'
  /** AWS answered with a 5xx error: it may have done the work before failing. */
  | 'server-error'
  /** The connection dropped before an answer: AWS may have done the work and the answer was lost. */
  | 'dropped'
  /**
   * The gateway stopped waiting (request timeout, or the call's deadline) while AWS may still be
   * working: even a describe that finds nothing now cannot rule out the work finishing later.
   */
  | 'cut';

/** Codes of errors raised before a request reached the network (connection never established). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** The node-http-handler's message when no connection was made within `connectionTimeout`. */
const CONNECT_TIMEOUT = /did not establish a connection/;

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function attemptFate(error: unknown): AttemptFate {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) {
    if (status >= 500) return 'server-error';
    if (status >= 400) return 'refused';
    // A 2xx or 3xx whose body could not be read to the end: AWS answered, the answer was lost.
    return 'dropped';
  }
  if (e.code !== undefined && NOT_SENT_CODES.has(e.code)) return 'not-sent';
  if (e.name === 'TimeoutError' && CONNECT_TIMEOUT.test(e.message ?? '')) return 'not-sent';
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return 'dropped';
  // A request timeout (ETIMEDOUT), our own deadline (AbortError), or anything not recognised:
  // assume the worst, that AWS may still be at work.
  return 'cut';
}

/** True when one of these attempts may have made AWS do the work. */
export function mayHaveReachedAws(fates: readonly AttemptFate[]): boolean {
  return fates.some((fate) => fate === 'server-error' || fate === 'dropped' || fate === 'cut');
}

/** True when AWS may still be working on one of these attempts, so its absence now proves nothing. */
export function mayStillBeRunning(fates: readonly AttemptFate[]): boolean {
  return fates.includes('cut');
}

/** What became of each failed attempt of one call, and the error it failed with (recorded by src/elasticache/call-control.ts). */
export interface FailedAttempts {
  fates: AttemptFate[];
  /** The SDK's error name (or Node's error code) of each, for the log. */
  errors: string[];
}
