/**
 * Creating a snapshot so that a lost answer never becomes a wrong one.
 *
 * The SDK retries a create whose answer was lost; if AWS had recorded the first attempt, the retry
 * is told the name is taken. And a create that failed after reaching AWS may have worked. In both
 * cases the gateway asks AWS (a describe of the name) and, if the snapshot is there, comes from
 * the requested cache and was made after this action began, answers the success it was.
 *
 * AWS answers a create only after recording it, so once every attempt has ended with an answer or
 * a dropped connection, a describe that finds nothing proves nothing was created. An attempt the
 * gateway stopped waiting for (a timeout) may still be running at AWS: then, and whenever the
 * describe itself fails, the outcome is unknown, and the caller is told so rather than "failed".
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { CreateServerlessCacheSnapshotInput } from '../generated/graphql';
import {
  createServerlessCacheSnapshot,
  type CreateServerlessCacheSnapshotFault,
} from '../operations/create-serverless-cache-snapshot';
import { lookupServerlessCacheSnapshot } from '../operations/describe-serverless-cache-snapshots';
import { settleLostAnswers } from '../operations/lost-answers';
import type { Logger } from '../logger';

/**
 * How far AWS's clock (a snapshot's `CreateTime`) may run behind the gateway's and still count a
 * snapshot as made by this action. AWS hosts and NTP-synced servers agree to well under a second;
 * a minute is generous, and only a snapshot of the same name from the same cache could match.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

export type CreateOutcome =
  | {
      serverlessCacheSnapshot: ServerlessCacheSnapshot;
      awsRequestId: string | null;
      /** True when the answer was found by a describe after the create's own answer was lost. */
      reconciled: boolean;
    }
  | { fault: CreateServerlessCacheSnapshotFault };

export interface CreateAttempt {
  /** When the action began (epoch ms): the first call with its idempotency key, or this one. */
  since: number;
  /**
   * An earlier call for the same action ended without a definite answer: a "name taken" on the
   * first attempt may then be that call's own snapshot.
   */
  earlierCallUnsettled: boolean;
}

export class SnapshotCreation {
  constructor(
    private readonly elasticache: ElastiCacheDataSource,
    private readonly logger: Logger,
  ) {}

  /** The created snapshot, or the documented fault; throws `OUTCOME_UNKNOWN` or a definite failure. */
  async create(request: CreateServerlessCacheSnapshotInput, attempt: CreateAttempt): Promise<CreateOutcome> {
    let awsRequestId: string | null = null;
    const outcome = await settleLostAnswers(
      async () => {
        const created = await createServerlessCacheSnapshot(this.elasticache, request);
        if ('fault' in created) return created;
        awsRequestId = created.awsRequestId ?? null;
        return { output: created.serverlessCacheSnapshot };
      },
      {
        // A first-attempt "name taken" is someone else's name; after a lost attempt it may be ours.
        lostIf: ['ServerlessCacheSnapshotAlreadyExistsFault'],
        find: async () => {
          const snapshot = await lookupServerlessCacheSnapshot(this.elasticache, request.serverlessCacheSnapshotName);
          return snapshot !== null && isFromThisAction(snapshot, request, attempt.since) ? snapshot : null;
        },
        earlierCallUnsettled: attempt.earlierCallUnsettled,
        logger: this.logger,
      },
    );
    if ('fault' in outcome) return { fault: outcome.fault };
    return { serverlessCacheSnapshot: outcome.output, awsRequestId, reconciled: outcome.reconciled };
  }
}

/** Created no earlier than the action began (less the clock skew allowance); never when AWS gives no time. */
export function createdSince(createTime: Date | undefined, since: number): boolean {
  return createTime !== undefined && createTime.getTime() >= since - CLOCK_SKEW_ALLOWANCE_MS;
}

/** A snapshot of the action's cache (any case), created since the action began. */
export function isFromThisAction(snapshot: ServerlessCacheSnapshot, action: { serverlessCacheName: string }, since: number): boolean {
  const cache = snapshot.ServerlessCacheConfiguration?.ServerlessCacheName;
  return cache !== undefined && cache.toLowerCase() === action.serverlessCacheName.toLowerCase() && createdSince(snapshot.CreateTime, since);
}

/** Tags as AWS compares them: a set of key-value pairs, so order does not matter. */
export function tagSet(tags: readonly { key: string; value?: string | null }[] | null | undefined): [string, string | null][] {
  return (tags ?? []).map(({ key, value }): [string, string | null] => [key, value ?? null]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The input an idempotency key is bound to, from parts already normalised as AWS compares them. */
export function fingerprint(parts: readonly unknown[]): string {
  return JSON.stringify(parts);
}

/**
 * A create's input as AWS would compare it: names in lower case (AWS stores them so), tags as a
 * set. Two inputs with the same fingerprint create the same snapshot.
 */
export function createRequestFingerprint(request: CreateServerlessCacheSnapshotInput): string {
  return fingerprint([
    request.serverlessCacheSnapshotName.toLowerCase(),
    request.serverlessCacheName.toLowerCase(),
    request.kmsKeyId ?? null,
    tagSet(request.tags),
  ]);
}
