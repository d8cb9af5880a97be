/**
 * DescribeServerlessCaches, read two ways: one cache by name (a lookup, where "no such cache" is
 * an answer), and a page of the account's caches.
 */
import { DescribeServerlessCachesCommand, type ServerlessCache } from '@aws-sdk/client-elasticache';
import { isAwsFault } from '../elasticache/aws-fault';
import type { ElastiCacheDataSource, Page, PageRequest } from '../elasticache/data-source';

/** The cache of that name, or null when AWS has none (or finds the name invalid: none can have it). */
export async function lookupServerlessCache(aws: ElastiCacheDataSource, name: string): Promise<ServerlessCache | null> {
  const command = new DescribeServerlessCachesCommand({ ServerlessCacheName: name });
  try {
    const output = await aws.send('DescribeServerlessCaches', command);
    return output.ServerlessCaches?.[0] ?? null;
  } catch (error) {
    if (isAwsFault(error, 'ServerlessCacheNotFoundFault', 'InvalidParameterValueException')) return null;
    if (isAwsFault(error)) throw aws.unexpected(error);
    throw error;
  }
}

/** A page of the account's serverless caches. Throws `AwsFault` for what AWS refuses (a bad token). */
export async function describeServerlessCaches(aws: ElastiCacheDataSource, page: PageRequest): Promise<Page<ServerlessCache>> {
  const command = new DescribeServerlessCachesCommand({ NextToken: page.nextToken, MaxResults: page.maxResults });
  const output = await aws.send('DescribeServerlessCaches', command);
  return { items: output.ServerlessCaches ?? [], nextToken: output.NextToken || undefined };
}
