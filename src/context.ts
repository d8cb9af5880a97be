/**
 * The per-request context: built once per GraphQL operation (HTTP request or WebSocket
 * subscription) by the factory below, and the only thing resolvers receive besides their
 * arguments. Loaders and the services reading through them live here, never longer than a request,
 * so one caller's results are never served to another.
 */
import { CacheService } from './caches/service';
import type { ReadConfig } from './config';
import type { ElastiCacheDataSource } from './elasticache/data-source';
import { createLoaders, type Loaders } from './loaders';
import type { Logger } from './logger';
import { SnapshotService } from './snapshots/service';
import type { SnapshotStatusWatcher } from './snapshots/status-watcher';

/** Who is calling. Null while the gateway has no authentication configured: callers are anonymous. */
export type Principal = null;

export interface GatewayContext {
  requestId: string;
  logger: Logger;
  principal: Principal;
  loaders: Loaders;
  snapshots: SnapshotService;
  caches: CacheService;
  /** Shared by all requests: one poll per watched snapshot. */
  snapshotStatus: SnapshotStatusWatcher;
}

export interface ContextDependencies {
  logger: Logger;
  elasticache: ElastiCacheDataSource;
  reads: ReadConfig;
  snapshotStatus: SnapshotStatusWatcher;
}

export function createContextFactory({ logger, elasticache, reads, snapshotStatus }: ContextDependencies) {
  return (requestId: string): GatewayContext => {
    const loaders = createLoaders(elasticache, reads);
    return {
      requestId,
      logger: logger.child({ requestId }),
      principal: null,
      loaders,
      snapshots: new SnapshotService(elasticache, loaders),
      caches: new CacheService(elasticache, loaders),
      snapshotStatus,
    };
  };
}
