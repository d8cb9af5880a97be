/**
 * The audit trail: one structured line per mutation, allowed or denied, written through the
 * request's logger, whose bindings give the request id and the principal (kind and id). It names
 * who did what to which cache and how it ended; it never holds a token, an API key or a key's hash,
 * and no tag values or KMS key ids. Find it with `audit: true`.
 */
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
