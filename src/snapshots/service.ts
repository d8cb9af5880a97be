/**
 * What the resolvers ask of snapshots, answered in the schema's terms. One instance per request:
 * reads by name go through the request's loaders, and every answer passes the request's
 * authorization first.
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { auditedMutation } from '../auth/audit';
import type { Authorization } from '../auth/authorization';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import { validateCreateServerlessCacheSnapshot, type CreateServerlessCacheSnapshotFault } from '../operations/create-serverless-cache-snapshot';
import { describeServerlessCacheSnapshots, type SnapshotFilter } from '../operations/describe-serverless-cache-snapshots';
import type { CreateServerlessCacheSnapshotInput, Tag } from '../generated/graphql';
import { checkIdempotencyKey, idempotently, type IdempotentMutations } from '../idempotency/idempotently';
import type { Loaders } from '../loaders';
import type { Logger } from '../logger';
import { readConnection, type Connection, type PageArguments } from '../pagination/connection';
import { listPageError, noSuchCacheFilter } from '../pagination/upstream-faults';
import { createRequestFingerprint, type CreateAttempt, type SnapshotCreation } from './creation';
import type { CreateServerlessCacheSnapshotAccepted } from './outcomes';
import type { SnapshotStatusWatcher } from './status-watcher';

export type CreateSnapshotResult =
  | (CreateServerlessCacheSnapshotAccepted & { __typename: 'CreateServerlessCacheSnapshotSuccess' })
  | CreateServerlessCacheSnapshotFault;

/** A create's answer as the caller got it, and how it came about (for the audit line). */
export interface CreateSnapshotAnswer {
  result: CreateSnapshotResult;
  /** AWS's request id when AWS answered (null when the gateway answered itself). */
  awsRequestId: string | null;
  /** Found by a describe after the create's own answer was lost. */
  reconciled?: boolean;
}

export class SnapshotService {
  constructor(
    private readonly elasticache: ElastiCacheDataSource,
    private readonly creation: SnapshotCreation,
    private readonly idempotency: IdempotentMutations,
    private readonly loaders: Loaders,
    private readonly authorization: Authorization,
    private readonly statusWatcher: SnapshotStatusWatcher,
    private readonly logger: Logger,
    /** Whose idempotency keys these are (`principalKey`): one caller's key never answers another. */
    private readonly keyOwner: string,
  ) {}

  create(input: CreateServerlessCacheSnapshotInput): Promise<CreateSnapshotResult> {
    return auditedMutation(
      this.logger,
      { operation: 'createServerlessCacheSnapshot', serverlessCacheName: input.serverlessCacheName, serverlessCacheSnapshotName: input.serverlessCacheSnapshotName },
      () => this.createAuthorized(input),
    );
  }

  private async createAuthorized(input: CreateServerlessCacheSnapshotInput): Promise<CreateSnapshotAnswer & { replayed?: boolean }> {
    this.authorization.assertMayWrite(input.serverlessCacheName);
    const key = input.idempotencyKey;
    if (key != null) checkIdempotencyKey(key);
    // Answers the gateway gives without AWS are the same every time: no record needed.
    const invalid = validateCreateServerlessCacheSnapshot(input);
    if (invalid) return { result: invalid, awsRequestId: null };
    if (key == null) return await this.createOnce(input, { since: Date.now(), earlierCallUnsettled: false });
    return await this.createIdempotently(input, key);
  }

  private async createIdempotently(input: CreateServerlessCacheSnapshotInput, clientKey: string): Promise<CreateSnapshotAnswer & { replayed?: boolean }> {
    const { answer, replayed } = await idempotently<CreateSnapshotAnswer>(this.idempotency, {
      owner: this.keyOwner,
      mutation: 'createServerlessCacheSnapshot',
      clientKey,
      fingerprint: createRequestFingerprint(input),
      run: (since, earlierCallUnsettled) => this.createOnce(input, { since, earlierCallUnsettled }),
    });
    return { ...answer, replayed };
  }

  private async createOnce(input: CreateServerlessCacheSnapshotInput, attempt: CreateAttempt): Promise<CreateSnapshotAnswer> {
    const outcome = await this.creation.create(input, attempt);
    if ('fault' in outcome) return { result: outcome.fault, awsRequestId: outcome.fault.awsRequestId ?? null };
    return {
      awsRequestId: outcome.awsRequestId,
      reconciled: outcome.reconciled,
      result: {
        __typename: 'CreateServerlessCacheSnapshotSuccess',
        serverlessCacheSnapshot: outcome.serverlessCacheSnapshot,
        tags: (input.tags ?? []).map(({ key, value }) => ({ key, value: value ?? null })),
      },
    };
  }

  /** A snapshot's tags (the snapshot was already found visible to the caller). */
  tagsOf(snapshot: ServerlessCacheSnapshot): Promise<Tag[]> {
    return snapshot.ARN === undefined ? Promise.resolve([]) : this.loaders.tagsByArn.load(snapshot.ARN);
  }

  /** The snapshot of that name, or null when there is none or it was taken from a cache the caller may not see. */
  async byName(name: string): Promise<ServerlessCacheSnapshot | null> {
    this.authorization.assertMayRead();
    const snapshot = await this.loaders.snapshotByName.load(name);
    return snapshot !== null && this.authorization.mayAccessSnapshot(snapshot) ? snapshot : null;
  }

  async list(filter: SnapshotFilter, page: PageArguments): Promise<Connection<ServerlessCacheSnapshot>> {
    this.authorization.assertMayRead();
    const cacheName = filter.serverlessCacheName;
    // A cache the caller may not see is answered like one that does not exist, before asking AWS.
    if (cacheName != null && !this.authorization.mayAccessCache(cacheName)) throw noSuchCacheFilter(cacheName);
    const list = `snapshots:${JSON.stringify([cacheName?.toLowerCase() ?? null, filter.snapshotType ?? null])}`;
    return await readConnection(
      list,
      page,
      (nextToken, maxResults) =>
        describeServerlessCacheSnapshots(this.elasticache, filter, { nextToken, maxResults }).catch((error: unknown) => {
          throw listPageError(error, filter);
        }),
      this.authorization.snapshotFilter(cacheName),
    );
  }

  /**
   * The snapshot's state now and each change of its status (one shared poll per snapshot). A
   * snapshot the caller may not see ends the subscription exactly as an unknown name does.
   */
  watch(name: string): AsyncIterableIterator<ServerlessCacheSnapshot> {
    this.authorization.assertMayRead();
    return this.statusWatcher.watch(name, (snapshot) => this.authorization.mayAccessSnapshot(snapshot));
  }
}
