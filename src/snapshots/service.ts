/**
 * What the resolvers ask of snapshots, answered in the schema's terms. One instance per request:
 * reads by name go through the request's loaders, and every answer passes the request's
 * authorization first.
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { auditMutation } from '../auth/audit';
import type { Authorization } from '../auth/authorization';
import { UpstreamError, type CreateSnapshotRequest, type ElastiCacheDataSource, type SnapshotFilter } from '../elasticache/data-source';
import type { FaultResult } from '../elasticache/faults';
import { GatewayError, GatewayErrorCode } from '../errors';
import type { Loaders } from '../loaders';
import type { Logger } from '../logger';
import { readConnection, type Connection, type PageArguments } from '../pagination/connection';
import { noSuchCacheFilter, upstreamPageOrBadInput } from '../pagination/upstream-faults';
import type { CreateServerlessCacheSnapshotAccepted } from './outcomes';
import type { SnapshotStatusWatcher } from './status-watcher';
import { validateCreateSnapshotRequest } from './validation';

export type CreateSnapshotResult =
  | (CreateServerlessCacheSnapshotAccepted & { __typename: 'CreateServerlessCacheSnapshotSuccess' })
  | FaultResult;

export class SnapshotService {
  constructor(
    private readonly elasticache: ElastiCacheDataSource,
    private readonly loaders: Loaders,
    private readonly authorization: Authorization,
    private readonly statusWatcher: SnapshotStatusWatcher,
    private readonly logger: Logger,
  ) {}

  async create(request: CreateSnapshotRequest): Promise<CreateSnapshotResult> {
    const audit = {
      operation: 'createServerlessCacheSnapshot',
      serverlessCacheName: request.serverlessCacheName,
      serverlessCacheSnapshotName: request.serverlessCacheSnapshotName,
    };
    try {
      const { result, awsRequestId } = await this.createAuthorized(request);
      auditMutation(this.logger, { ...audit, outcome: result.__typename, awsRequestId });
      return result;
    } catch (error) {
      const outcome = error instanceof GatewayError ? error.code : GatewayErrorCode.INTERNAL_SERVER_ERROR;
      auditMutation(this.logger, { ...audit, outcome, awsRequestId: error instanceof UpstreamError ? (error.awsRequestId ?? null) : null });
      throw error;
    }
  }

  /** The result, and AWS's request id when AWS answered (null when the gateway answered itself). */
  private async createAuthorized(request: CreateSnapshotRequest): Promise<{ result: CreateSnapshotResult; awsRequestId: string | null }> {
    this.authorization.assertMayWrite(request.serverlessCacheName);
    const invalid = validateCreateSnapshotRequest(request);
    if (invalid) return { result: invalid, awsRequestId: null };
    const created = await this.elasticache.createServerlessCacheSnapshot(request);
    if ('__typename' in created) return { result: created, awsRequestId: created.awsRequestId ?? null };
    return {
      awsRequestId: created.awsRequestId ?? null,
      result: {
        __typename: 'CreateServerlessCacheSnapshotSuccess',
        serverlessCacheSnapshot: created.serverlessCacheSnapshot,
        tags: (request.tags ?? []).map(({ key, value }) => ({ key, value: value ?? null })),
      },
    };
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
      async (nextToken, maxResults) => upstreamPageOrBadInput(await this.elasticache.describeServerlessCacheSnapshots(filter, { nextToken, maxResults })),
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
