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
import type { AwsLayer } from './elasticache/aws-layer';
import type { ElastiCacheDataSource } from './elasticache/data-source';
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
  aws: AwsLayer;
  reads: ReadConfig;
  snapshotStatus: SnapshotStatusWatcher;
  idempotentMutations: IdempotentMutations;
  /** Whether snapshots may be exported to this S3 bucket (EXPORT_S3_BUCKETS). */
  mayExportTo: (bucket: string) => boolean;
}

export type ContextFactory = (request: RequestIdentity) => GatewayContext;

export function createContextFactory(dependencies: ContextDependencies): ContextFactory {
  return ({ requestId, principal }) => new RequestContext(dependencies, requestId, principal);
}

/**
 * A request's context. The services and loaders are made when a resolver first asks for them: most
 * requests use one or two of them, and each request would otherwise build all of them.
 */
class RequestContext implements GatewayContext {
  readonly logger: Logger;
  readonly mutationResults: { field: string; typename: string }[] = [];
  private readonly caller: string;
  private readonly elasticache: ElastiCacheDataSource;
  // Each made on first use (one field each, so every context has the same shape from the start).
  private madeLoaders: Loaders | undefined = undefined;
  private madeAuthorization: Authorization | undefined = undefined;
  private madeSnapshots: SnapshotService | undefined = undefined;
  private madeLifecycle: SnapshotLifecycle | undefined = undefined;
  private madeCaches: CacheService | undefined = undefined;
  private madeRestores: CacheRestore | undefined = undefined;

  constructor(
    private readonly dependencies: ContextDependencies,
    readonly requestId: string,
    readonly principal: Principal,
  ) {
    // With tracing on, every line of the request also names its trace (src/observability/tracing.ts).
    const traceId = currentTraceId();
    this.logger = lazyChild(dependencies.logger, { requestId, ...(traceId === undefined ? {} : { traceId }), principal: { kind: principal.kind, id: principal.id } });
    this.caller = principalKey(principal);
    this.elasticache = dependencies.aws.forRequest(this.caller, this.logger);
  }

  awsCalls(): number {
    return this.elasticache.calls;
  }

  get loaders(): Loaders {
    return (this.madeLoaders ??= createLoaders(this.elasticache, this.dependencies.reads));
  }

  get snapshots(): SnapshotService {
    const { idempotentMutations, snapshotStatus } = this.dependencies;
    return (this.madeSnapshots ??= new SnapshotService(
      this.elasticache,
      new SnapshotCreation(this.elasticache, this.logger),
      idempotentMutations,
      this.loaders,
      this.authorization,
      snapshotStatus,
      this.logger,
      this.caller,
    ));
  }

  get lifecycle(): SnapshotLifecycle {
    const { idempotentMutations, mayExportTo } = this.dependencies;
    return (this.madeLifecycle ??= new SnapshotLifecycle(this.elasticache, this.loaders, this.authorization, idempotentMutations, mayExportTo, this.logger, this.caller));
  }

  get caches(): CacheService {
    return (this.madeCaches ??= new CacheService(this.elasticache, this.loaders, this.authorization));
  }

  get restores(): CacheRestore {
    return (this.madeRestores ??= new CacheRestore(this.elasticache, this.loaders, this.authorization, this.dependencies.idempotentMutations, this.logger, this.caller));
  }

  private get authorization(): Authorization {
    return (this.madeAuthorization ??= new Authorization(this.principal));
  }
}
