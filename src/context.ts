/**
 * The per-request context: built once per GraphQL request by `createContextFactory`, and the only
 * thing resolvers receive besides their arguments. Loaders live here, never longer than a request,
 * so one caller's results are never served to another.
 */
import DataLoader from 'dataloader';
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { Logger } from './logger';
import type { SnapshotService } from './snapshots/service';

/** Batched, de-duplicated upstream reads for one request. */
export interface Loaders {
  /** Snapshots by name; AWS stores names in lower case, so `Nightly` and `nightly` load once. */
  snapshotByName: DataLoader<string, ServerlessCacheSnapshot | null, string>;
}

/** Who is calling. Null while the gateway has no authentication configured: callers are anonymous. */
export type Principal = null;

export interface GatewayContext {
  requestId: string;
  logger: Logger;
  principal: Principal;
  snapshots: SnapshotService;
  loaders: Loaders;
}

export interface ContextDependencies {
  logger: Logger;
  snapshots: SnapshotService;
}

export function createLoaders(snapshots: SnapshotService): Loaders {
  return {
    snapshotByName: new DataLoader((names) => snapshots.findByNames(names), {
      cacheKeyFn: (name) => name.toLowerCase(),
    }),
  };
}

export function createContextFactory({ logger, snapshots }: ContextDependencies) {
  return (requestId: string): GatewayContext => ({
    requestId,
    logger: logger.child({ requestId }),
    principal: null,
    snapshots,
    loaders: createLoaders(snapshots),
  });
}
