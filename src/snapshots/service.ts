/**
 * What the resolvers ask of snapshots. It applies the gateway's input rules, then makes the one
 * upstream call, and answers in the schema's terms: a success or a documented fault.
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { CreateSnapshotRequest, ElastiCacheDataSource } from '../elasticache/data-source';
import type { FaultResult } from '../elasticache/faults';
import type { CreateServerlessCacheSnapshotAccepted } from './outcomes';
import { validateCreateSnapshotRequest } from './validation';

export type CreateSnapshotResult =
  | (CreateServerlessCacheSnapshotAccepted & { __typename: 'CreateServerlessCacheSnapshotSuccess' })
  | FaultResult;

export class SnapshotService {
  constructor(private readonly elasticache: ElastiCacheDataSource) {}

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

  /** Looks snapshots up by name, one upstream call per distinct name (names are case-insensitive). */
  async findByNames(names: readonly string[]): Promise<(ServerlessCacheSnapshot | null | Error)[]> {
    const settled = await Promise.allSettled(names.map((name) => this.elasticache.describeServerlessCacheSnapshot(name)));
    return settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error)));
  }
}
