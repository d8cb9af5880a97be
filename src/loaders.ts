/**
 * Per-request DataLoaders: every read a resolver makes goes through one of these, so the same cache
 * or snapshot asked for twice in a request is fetched once, and many caches asked for in the same
 * tick cost one listing instead of one call each. Created for each request and dropped with it:
 * one caller's results are never served to another, and nothing goes stale.
 */
import DataLoader from 'dataloader';
import type { ServerlessCache, ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { ReadConfig } from './config';
import type { ElastiCacheDataSource } from './elasticache/data-source';
import { describeServerlessCaches, lookupServerlessCache } from './operations/describe-serverless-caches';
import { lookupServerlessCacheSnapshot } from './operations/describe-serverless-cache-snapshots';
import { listSnapshotTags } from './operations/tagging';
import type { Tag } from './generated/graphql';
import { AwsFault } from './elasticache/aws-fault';

export interface Loaders {
  /** Snapshots by name; AWS stores names in lower case, so `Nightly` and `nightly` load once. */
  snapshotByName: DataLoader<string, ServerlessCacheSnapshot | null, string>;
  /** Serverless caches by name (case-insensitive), null for a cache that does not exist. */
  cacheByName: DataLoader<string, ServerlessCache | null, string>;
  /**
   * A snapshot's tags by its ARN: one ListTagsForResource each (AWS's only way), so only for the
   * snapshots whose `tags` a document selects; the request's share of AWS bounds how many at once.
   */
  tagsByArn: DataLoader<string, Tag[], string>;
}

const byLowerCase = (name: string) => name.toLowerCase();

/** One call per name, concurrently; a failed call fails only its own key. */
async function eachByName<T>(names: readonly string[], load: (name: string) => Promise<T>): Promise<(T | Error)[]> {
  const settled = await Promise.allSettled(names.map(load));
  return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason instanceof Error ? s.reason : new Error(String(s.reason))));
}

/** Walks the cache listing until every wanted name is found or the listing ends. */
async function cachesFromListing(elasticache: ElastiCacheDataSource, names: readonly string[]): Promise<(ServerlessCache | null)[]> {
  const wanted = new Set(names.map(byLowerCase));
  const found = new Map<string, ServerlessCache>();
  let nextToken: string | undefined;
  do {
    const page = await describeServerlessCaches(elasticache, { nextToken, maxResults: 50 }).catch((error: unknown) => {
      // The listing has no filter: a fault here is not the caller's to fix.
      throw error instanceof AwsFault ? elasticache.unexpected(error) : error;
    });
    for (const cache of page.items) {
      const key = byLowerCase(cache.ServerlessCacheName ?? '');
      if (wanted.has(key)) found.set(key, cache);
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined && found.size < wanted.size);
  return names.map((name) => found.get(byLowerCase(name)) ?? null);
}

export function createLoaders(elasticache: ElastiCacheDataSource, config: ReadConfig): Loaders {
  // Without batching every load is its own call and nothing is remembered: the cost of resolving
  // each field on its own, which is what the measurement switch is for.
  const options = config.batching ? { cacheKeyFn: byLowerCase } : { cacheKeyFn: byLowerCase, batch: false, cache: false };
  return {
    snapshotByName: new DataLoader((names) => eachByName(names, (name) => lookupServerlessCacheSnapshot(elasticache, name)), options),
    cacheByName: new DataLoader(
      (names) =>
        names.length >= config.cacheListingThreshold
          ? cachesFromListing(elasticache, names)
          : eachByName(names, (name) => lookupServerlessCache(elasticache, name)),
      options,
    ),
    tagsByArn: new DataLoader((arns) => eachByName(arns, (arn) => listSnapshotTags(elasticache, arn)), config.batching ? {} : { batch: false, cache: false }),
  };
}
