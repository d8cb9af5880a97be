/**
 * What the resolvers ask of snapshots, answered in the schema's terms. One instance per request:
 * reads by name go through the request's loaders.
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { CreateSnapshotRequest, ElastiCacheDataSource, SnapshotFilter } from '../elasticache/data-source';
import type { FaultResult } from '../elasticache/faults';
import type { Loaders } from '../loaders';
import { readConnection, type Connection, type PageArguments } from '../pagination/connection';
import { upstreamPageOrBadInput } from '../pagination/upstream-faults';
import type { CreateServerlessCacheSnapshotAccepted } from './outcomes';
import { validateCreateSnapshotRequest } from './validation';

export type CreateSnapshotResult =
  | (CreateServerlessCacheSnapshotAccepted & { __typename: 'CreateServerlessCacheSnapshotSuccess' })
  | FaultResult;

export class SnapshotService {
  constructor(
    private readonly elasticache: ElastiCacheDataSource,
    private readonly loaders: Loaders,
  ) {}

  async create(request: CreateSnapshotRequest): Promise<CreateSnapshotResult> {
    const invalid = validateCreateSnapshotRequest(request);
    if (invalid) return invalid;
    const result = await this.elasticache.createServerlessCacheSnapshot(request);
    if ('__typename' in result) return result;
    return {
      __typename: 'CreateServerlessCacheSnapshotSuccess',
      serverlessCacheSnapshot: result,
      tags: (request.tags ?? []).map(({ key, value }) => ({ key, value: value ?? null })),
    };
  }

  byName(name: string): Promise<ServerlessCacheSnapshot | null> {
    return this.loaders.snapshotByName.load(name);
  }

  list(filter: SnapshotFilter, page: PageArguments): Promise<Connection<ServerlessCacheSnapshot>> {
    const list = `snapshots:${JSON.stringify([filter.serverlessCacheName?.toLowerCase() ?? null, filter.snapshotType ?? null])}`;
    return readConnection(list, page, async (nextToken, maxResults) =>
      upstreamPageOrBadInput(await this.elasticache.describeServerlessCacheSnapshots(filter, { nextToken, maxResults })),
    );
  }
}
