/**
 * Settling a mutation whose answer may have been lost. The SDK retries an attempt that failed, and
 * AWS may have done the work of one whose answer never arrived: the retry is then told "name
 * taken", "not found" or "not available" about the caller's own change, and a call that fails
 * after such an attempt may have succeeded. Each mutation says which faults can hide its own work
 * and how to look for the change; this decides what the caller is told.
 */
import { mayHaveReachedAws, mayStillBeRunning, type AttemptFate } from '../elasticache/attempts';
import { UpstreamError } from '../elasticache/data-source';
import { GatewayError, GatewayErrorCode } from '../errors';
import type { Logger } from '../logger';

export interface LostAnswerOptions<T> {
  /** Faults a retry answers when an earlier attempt did the work. */
  lostIf: readonly string[];
  /** Looks for the change; null when it is not there. */
  find: () => Promise<T | null>;
  /** An earlier call of the same action (same idempotency key) ended without an answer. */
  earlierCallUnsettled?: boolean;
  logger: Logger;
}

/**
 * The mutation's outcome, or the success it was when it failed (or answered a `lostIf` fault)
 * after an attempt that may have reached AWS and `find` sees the change. Not there while an attempt
 * may still be running at AWS, or `find` failing too: `OUTCOME_UNKNOWN`. Otherwise the failure or
 * fault stands.
 */
export async function settleLostAnswers<T, F>(
  send: () => Promise<{ output: T } | { fault: F; attempts: readonly AttemptFate[] }>,
  { lostIf, find, earlierCallUnsettled = false, logger }: LostAnswerOptions<T>,
): Promise<{ output: T; reconciled: boolean } | { fault: F }> {
  let outcome;
  try {
    outcome = await send();
  } catch (error) {
    if (!(error instanceof UpstreamError) || !mayHaveReachedAws(error.attempts)) throw error;
    const found = await look(find, error.attempts, logger);
    if (found !== null) return { output: found, reconciled: true };
    if (mayStillBeRunning(error.attempts)) throw unknown(error.attempts, 'an attempt timed out and the change is not there yet', logger);
    // Every attempt has ended and the change is not there: nothing happened.
    throw error;
  }
  if ('output' in outcome) return { output: outcome.output, reconciled: false };
  const typename = (outcome.fault as { __typename: string }).__typename;
  if (lostIf.includes(typename) && (mayHaveReachedAws(outcome.attempts) || earlierCallUnsettled)) {
    const found = await look(find, outcome.attempts, logger);
    if (found !== null) return { output: found, reconciled: true };
  }
  return { fault: outcome.fault };
}

async function look<T>(find: () => Promise<T | null>, attempts: readonly AttemptFate[], logger: Logger): Promise<T | null> {
  let found: T | null;
  try {
    found = await find();
  } catch (error) {
    throw unknown(attempts, 'the describe that would settle it failed too', logger, error);
  }
  logger.info({ component: 'mutations', attemptFates: attempts, found: found !== null }, 'reconciled after a lost answer');
  return found;
}

function unknown(attempts: readonly AttemptFate[], why: string, logger: Logger, error?: unknown): GatewayError {
  logger.warn({ component: 'mutations', attemptFates: attempts, why, ...(error === undefined ? {} : { err: error }) }, 'mutation outcome unknown');
  return new GatewayError(GatewayErrorCode.OUTCOME_UNKNOWN);
}
