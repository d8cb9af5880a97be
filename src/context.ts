/**
 * The per-request context: built once per GraphQL operation (HTTP request or WebSocket
 * subscription) by the factory below, and the only thing resolvers receive besides their
 * arguments. Loaders and the services reading through them live here, never longer than a request,
 * so one caller's results are never served to another.
 */
import { Authorization } from './auth/authorization';
import { principalKey, type Principal } from './auth/principal';
import { CacheRestore } from './caches/restore';
import { CacheService } from './caches/service';
import type { ReadConfig } from './config';
import type { ElastiCacheDataSource } from './elasticache/data-source';
import type { UpstreamConcurrency } from './limits/concurrency';
import { createLoaders, type Loaders } from './loaders';
import { currentTraceId } from './observability/tracing';
import { lazyChild, type Logger } from './logger';
import { SnapshotCreation } from './snapshots/creation';
import { SnapshotLifecycle } from './snapshots/lifecycle';
import { SnapshotService } from './snapshots/service';
import type { IdempotentMutations } from './idempotency/idempotently';
import type { SnapshotStatusWatcher } from './snapshots/status-watcher';

export interface GatewayContext {
  requestId: string;
  /** The request's logger: every line it writes carries the request id and the principal. */
  logger: Logger;
  /** Who is calling, as authentication established it before the operation started. */
  principal: Principal;
  loaders: Loaders;
  /** AWS calls the request has made so far. */
  awsCalls: () => number;
  /** The `__typename` of each mutation field's result (src/observability/operations.ts fills it). */
  mutationResults: { field: string; typename: string }[];
  snapshots: SnapshotService;
  /** Copy, delete, export and tag existing snapshots. */
  lifecycle: SnapshotLifecycle;
  caches: CacheService;
  /** Restore snapshots into a new cache. */
  restores: CacheRestore;
}

/** What a door (the HTTP route, the WebSocket) knows of a request when it asks for a context. */
export interface RequestIdentity {
  requestId: string;
  principal: Principal;
}

export interface ContextDependencies {
  logger: Logger;
  elasticache: ElastiCacheDataSource;
  reads: ReadConfig;
  snapshotStatus: SnapshotStatusWatcher;
  upstreamConcurrency: UpstreamConcurrency;
  idempotentMutations: IdempotentMutations;
  /** Whether snapshots may be exported to this S3 bucket (EXPORT_S3_BUCKETS). */
  mayExportTo: (bucket: string) => boolean;
}

export type ContextFactory = (request: RequestIdentity) => GatewayContext;

export function createContextFactory({
  logger,
  elasticache: shared,
  reads,
  snapshotStatus,
  upstreamConcurrency,
  idempotentMutations,
  mayExportTo,
}: ContextDependencies): ContextFactory {
  return ({ requestId, principal }) => {
    // With tracing on, every line of the request also names its trace (src/observability/tracing.ts).
    const traceId = currentTraceId();
    const requestLogger = lazyChild(logger, { requestId, ...(traceId === undefined ? {} : { traceId }), principal: { kind: principal.kind, id: principal.id } });
    const caller = principalKey(principal);
    const elasticache = shared.forRequest(upstreamConcurrency.gateFor(caller), requestLogger);
    const loaders = createLoaders(elasticache, reads);
    const authorization = new Authorization(principal);
    return {
      requestId,
      logger: requestLogger,
      principal,
      loaders,
      awsCalls: () => elasticache.calls,
      mutationResults: [],
      snapshots: new SnapshotService(
        elasticache,
        new SnapshotCreation(elasticache, requestLogger),
        idempotentMutations,
        loaders,
        authorization,
        snapshotStatus,
        requestLogger,
        caller,
      ),
      lifecycle: new SnapshotLifecycle(elasticache, loaders, authorization, idempotentMutations, mayExportTo, requestLogger, caller),
      caches: new CacheService(elasticache, loaders, authorization),
      restores: new CacheRestore(elasticache, loaders, authorization, idempotentMutations, requestLogger, caller),
    };
  };
}
