/**
 * The audit trail: one structured line per mutation, allowed or denied, written through the
 * request's logger (so it carries the request id). It names who did what to which cache and how it
 * ended; it never holds a token, an API key or a key's hash, and no tag values or KMS key ids.
 */
import type { Logger } from '../logger';
import type { Principal } from './principal';

export interface MutationAudit {
  operation: string;
  serverlessCacheName: string;
  serverlessCacheSnapshotName: string;
  /** The result's `__typename`, or the error code the mutation ended with. */
  outcome: string;
  /** AWS's request id, when AWS was called and answered. */
  awsRequestId: string | null;
}

export function auditMutation(logger: Logger, principal: Principal, entry: MutationAudit): void {
  logger.info({ audit: true, principalKind: principal.kind, principalId: principal.id, ...entry }, 'mutation');
}
