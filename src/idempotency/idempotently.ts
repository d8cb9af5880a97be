/**
 * The protocol every idempotent mutation follows on top of a record store: the first call with a
 * key runs; a duplicate waits for it and gets its answer; a call after one that ended without an
 * answer runs again, told when the first call began so it can find out what that one did.
 */
import { GatewayError, GatewayErrorCode } from '../errors';
import type { IdempotencyRecords } from './records';

export interface IdempotentRun<Answer> {
  records: IdempotencyRecords<Answer>;
  leaseMs: number;
  /** The record's key: the caller, the mutation and the client's key together. */
  key: string;
  /** The input, as the operation compares inputs. */
  fingerprint: string;
  /** The mutation, for the count of replays. */
  mutation: string;
  /** Told of each answer given again from the record. */
  onReplay?: (mutation: string) => void;
  /**
   * Runs the call. `since` is when the action began (epoch ms); `earlierCallUnsettled` says an
   * earlier call with the key ended without an answer (its AWS request may have done the work).
   */
  run: (since: number, earlierCallUnsettled: boolean) => Promise<Answer>;
}

export async function idempotently<Answer>({ records, leaseMs, key, fingerprint, mutation, onReplay, run }: IdempotentRun<Answer>): Promise<{ answer: Answer; replayed: boolean }> {
  for (;;) {
    const now = Date.now();
    const claim = await records.claim(key, fingerprint, now, leaseMs);
    switch (claim.status) {
      case 'mismatch':
        throw new GatewayError(GatewayErrorCode.IDEMPOTENCY_KEY_REUSED);
      case 'answered':
        onReplay?.(mutation);
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
          await records.release(key, claim.lease);
          throw error;
        }
        await records.settle(key, claim.lease, answer);
        return { answer, replayed: false };
      }
    }
  }
}
