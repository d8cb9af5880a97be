/**
 * What the resolvers ask of serverless caches. One instance per request, reading through its
 * loaders; every cache a listing returns is primed into them, so the snapshots of a listed cache
 * find their cache without another call.
 */
import type { ServerlessCache } from '@aws-sdk/client-elasticache';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { Loaders } from '../loaders';
import { readConnection, type Connection, type PageArguments } from '../pagination/connection';
import { upstreamPageOrBadInput } from '../pagination/upstream-faults';

export class CacheService {
  constructor(
    private readonly elasticache: ElastiCacheDataSource,
    private readonly loaders: Loaders,
  ) {}

  byName(name: string): Promise<ServerlessCache | null> {
    return this.loaders.cacheByName.load(name);
  }

  list(page: PageArguments): Promise<Connection<ServerlessCache>> {
    return readConnection('caches', page, async (nextToken, maxResults) => {
      const result = upstreamPageOrBadInput(await this.elasticache.describeServerlessCaches({ nextToken, maxResults }));
      for (const cache of result.items) {
        if (cache.ServerlessCacheName) this.loaders.cacheByName.prime(cache.ServerlessCacheName, cache);
      }
      return result;
    });
  }
}
