/**
 * The protocol every idempotent mutation follows on top of a record store: the first call with a
 * key runs; a duplicate waits for it and gets its answer; a call after one that ended without an
 * answer runs again, told when the first call began so it can find out what that one did.
 */
import { GatewayError, GatewayErrorCode, StoreUnavailableError } from '../errors';
import type { IdempotencyRecords } from './records';

/** What the mutations share for idempotency: the records, how long a call may hold a key, the replay count. */
export interface IdempotentMutations {
  /** Each mutation keeps its own answer type: the mutation is part of every record's key. */
  records: IdempotencyRecords<unknown>;
  /** Longest a call may hold its key: the call deadline for the mutation and for its reconciling describe. */
  leaseMs: number;
  /** Told of each answer given again from a record (for the metrics). */
  onReplay?: (mutation: string) => void;
}

export interface IdempotentRun<Answer> {
  /** Whose key it is (`principalKey`): one caller's key never answers another. */
  owner: string;
  mutation: string;
  /** The client's idempotency key (checked with `checkIdempotencyKey`). */
  clientKey: string;
  /** The input, as the operation compares inputs. */
  fingerprint: string;
  /**
   * Runs the call. `since` is when the action began (epoch ms); `earlierCallUnsettled` says an
   * earlier call with the key ended without an answer (its AWS request may have done the work).
   */
  run: (since: number, earlierCallUnsettled: boolean) => Promise<Answer>;
}

/** Printable ASCII without spaces: a UUID, a ULID or any token a client generates fits. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,64}$/;

/** `BAD_USER_INPUT` for a key a client cannot have meant, before anything runs. */
export function checkIdempotencyKey(key: string): void {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, 'The idempotency key must be 1 to 64 printable ASCII characters without spaces, such as a UUID.', {
      field: ['input', 'idempotencyKey'],
    });
  }
}

export async function idempotently<Answer>(
  shared: IdempotentMutations,
  { owner, mutation, clientKey, fingerprint, run }: IdempotentRun<Answer>,
): Promise<{ answer: Answer; replayed: boolean }> {
  const key = JSON.stringify([owner, mutation, clientKey]);
  // The key names the mutation, so a record under it only ever holds this mutation's answers.
  const records = shared.records as IdempotencyRecords<Answer>;
  for (;;) {
    const now = Date.now();
    const claim = await claimOrRefuse(records, key, fingerprint, now, shared.leaseMs);
    switch (claim.status) {
      case 'mismatch':
        throw new GatewayError(GatewayErrorCode.IDEMPOTENCY_KEY_REUSED);
      case 'answered':
        shared.onReplay?.(mutation);
        return { answer: claim.answer, replayed: true };
      case 'in-flight':
        await claim.settled;
        continue;
      case 'claimed': {
        let answer: Answer;
        try {
          answer = await run(claim.unsettledSince ?? now, claim.unsettledSince !== undefined);
        } catch (error) {
          // No definite answer to keep: the next call with this key finds out what this one did.
          await records.release(key, claim.lease).catch(ignoreUnreachableStore);
          throw error;
        }
        // AWS has acted: its answer is the caller's even when the record cannot be written. The
        // claim's lease then runs out, and the next call with the key reconciles as after a crash.
        await records.settle(key, claim.lease, answer).catch(ignoreUnreachableStore);
        return { answer, replayed: false };
      }
    }
  }
}

/**
 * A key's record comes before any AWS call: without the store there is no telling whether another
 * replica runs the same action, so nothing is sent and the caller is told to retry.
 */
async function claimOrRefuse<Answer>(records: IdempotencyRecords<Answer>, key: string, fingerprint: string, now: number, leaseMs: number) {
  try {
    return await records.claim(key, fingerprint, now, leaseMs);
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw new GatewayError(GatewayErrorCode.DEPENDENCY_UNAVAILABLE);
    throw error;
  }
}

function ignoreUnreachableStore(error: unknown): void {
  if (!(error instanceof StoreUnavailableError)) throw error;
}
