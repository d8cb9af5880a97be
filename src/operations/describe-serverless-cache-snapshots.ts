/**
 * DescribeServerlessCacheSnapshots, read two ways: one snapshot by name (a lookup, where "no such
 * snapshot" is an answer), and a page of a filtered list (whose faults are the caller's filter to
 * fix, mapped by the reader).
 */
import { DescribeServerlessCacheSnapshotsCommand, type ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { isAwsFault } from '../elasticache/aws-fault';
import type { ElastiCacheDataSource, Page, PageRequest } from '../elasticache/data-source';

export interface SnapshotFilter {
  serverlessCacheName?: string | null;
  snapshotType?: string | null;
}

/** The snapshot of that name, or null when AWS has none (or finds the name invalid: none can have it). */
export async function lookupServerlessCacheSnapshot(aws: ElastiCacheDataSource, name: string): Promise<ServerlessCacheSnapshot | null> {
  const command = new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: name });
  try {
    const output = await aws.send('DescribeServerlessCacheSnapshots', command);
    return output.ServerlessCacheSnapshots?.[0] ?? null;
  } catch (error) {
    if (isAwsFault(error, 'ServerlessCacheSnapshotNotFoundFault', 'InvalidParameterValueException')) return null;
    if (isAwsFault(error)) throw aws.unexpected(error);
    throw error;
  }
}

/** A page of snapshots. Throws `AwsFault` for what AWS refuses in the filter (an unknown cache, a bad value). */
export async function describeServerlessCacheSnapshots(
  aws: ElastiCacheDataSource,
  filter: SnapshotFilter,
  page: PageRequest,
): Promise<Page<ServerlessCacheSnapshot>> {
  const command = new DescribeServerlessCacheSnapshotsCommand({
    ServerlessCacheName: filter.serverlessCacheName ?? undefined,
    SnapshotType: filter.snapshotType ?? undefined,
    NextToken: page.nextToken,
    MaxResults: page.maxResults,
  });
  const output = await aws.send('DescribeServerlessCacheSnapshots', command);
  return { items: output.ServerlessCacheSnapshots ?? [], nextToken: output.NextToken || undefined };
}
