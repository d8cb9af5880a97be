/**
 * What the resolvers ask of serverless caches. One instance per request, reading through its
 * loaders; every cache a listing returns is primed into them, so the snapshots of a listed cache
 * find their cache without another call. A cache outside the caller's patterns is never asked for
 * and never listed: for that caller it does not exist.
 */
import type { ServerlessCache } from '@aws-sdk/client-elasticache';
import type { Authorization } from '../auth/authorization';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { Loaders } from '../loaders';
import { readConnection, type Connection, type PageArguments } from '../pagination/connection';
import { describeServerlessCaches } from '../operations/describe-serverless-caches';
import { listPageError } from '../pagination/upstream-faults';

export class CacheService {
  constructor(
    private readonly elasticache: ElastiCacheDataSource,
    private readonly loaders: Loaders,
    private readonly authorization: Authorization,
  ) {}

  byName(name: string): Promise<ServerlessCache | null> {
    this.authorization.assertMayRead();
    if (!this.authorization.mayAccessCache(name)) return Promise.resolve(null);
    return this.loaders.cacheByName.load(name);
  }

  async list(page: PageArguments): Promise<Connection<ServerlessCache>> {
    this.authorization.assertMayRead();
    return await readConnection(
      'caches',
      page,
      async (nextToken, maxResults) => {
        const result = await describeServerlessCaches(this.elasticache, { nextToken, maxResults }).catch((error: unknown) => {
          throw listPageError(error);
        });
        for (const cache of result.items) {
          if (cache.ServerlessCacheName) this.loaders.cacheByName.prime(cache.ServerlessCacheName, cache);
        }
        return result;
      },
      this.authorization.cacheFilter(),
    );
  }
}
