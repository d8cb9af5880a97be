/**
 * The audit trail: one structured line per mutation, allowed or denied, written through the
 * request's logger, whose bindings give the request id and the principal (kind and id). It names
 * who did what to which cache and how it ended; it never holds a token, an API key or a key's hash,
 * and no tag values or KMS key ids. Find it with `audit: true`.
 */
import { GatewayError, GatewayErrorCode } from '../errors';
import type { Logger } from '../logger';

export interface MutationAudit {
  operation: string;
  serverlessCacheName: string;
  serverlessCacheSnapshotName: string;
  /** The result's `__typename`, or the error code the mutation ended with. */
  outcome: string;
  /** AWS's request id, when AWS was called and answered. */
  awsRequestId: string | null;
  /** The create's own answer was lost; a describe found the snapshot it made. */
  reconciled?: boolean;
  /** An idempotency key's earlier answer, given again: nothing was sent to AWS. */
  replayed?: boolean;
}

/** `logger` is the request's own (GatewayContext.logger). */
export function auditMutation(logger: Logger, entry: MutationAudit): void {
  logger.info({ audit: true, ...entry }, 'mutation');
}

/** A mutation's answer, and how it came about. */
export interface AuditedAnswer<R extends { __typename: string }> {
  result: R;
  /** AWS's request id when AWS answered (null when the gateway answered itself). */
  awsRequestId: string | null;
  reconciled?: boolean;
  replayed?: boolean;
}

/**
 * Runs a mutation and writes its audit line, allowed or denied. `subject` may be completed while
 * the mutation runs (a snapshot's cache is known only once it is found).
 */
export async function auditedMutation<R extends { __typename: string }>(
  logger: Logger,
  subject: Omit<MutationAudit, 'outcome' | 'awsRequestId' | 'reconciled' | 'replayed'>,
  run: (subject: { serverlessCacheName: string }) => Promise<AuditedAnswer<R>>,
): Promise<R> {
  try {
    const { result, awsRequestId, reconciled, replayed } = await run(subject);
    auditMutation(logger, {
      ...subject,
      outcome: result.__typename,
      awsRequestId,
      ...(reconciled === true ? { reconciled } : {}),
      ...(replayed === true ? { replayed } : {}),
    });
    return result;
  } catch (error) {
    const outcome = error instanceof GatewayError ? error.code : GatewayErrorCode.INTERNAL_SERVER_ERROR;
    // An upstream failure carries AWS's request id, when AWS answered at all.
    const awsRequestId = (error as { awsRequestId?: string }).awsRequestId ?? null;
    auditMutation(logger, { ...subject, outcome, awsRequestId });
    throw error;
  }
}
