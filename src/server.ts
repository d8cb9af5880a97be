/**
 * The gateway's HTTP server: Fastify with Apollo Server at /graphql (and the schema's
 * `possibleTypes` at /graphql/possible-types), plus /health, /ready and /metrics.
 * Everything expensive (schema, Apollo, the ElastiCache client) is built once here, never per
 * request; the context factory is the only per-request construction.
 */
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Authenticator } from './auth/authenticator';
import { CachePatterns } from './auth/cache-patterns';
import { authenticationHook } from './auth/http';
import type { GatewayConfig } from './config';
import { createContextFactory, type GatewayContext } from './context';
import { AwsLayer } from './elasticache/aws-layer';
import { ElastiCacheDataSource } from './elasticache/data-source';
import { maskErrors } from './errors';
import { errorCodeOf, OperationObserver } from './observability/operations';
import { requestIdFrom } from './request-id';
import { clientAddressOf } from './client-address';
import { validationRules } from './graphql-document';
import { graphqlRouteHandler, refuseUnsupportedCharset } from './graphql-route';
import { HttpDrain, type DrainOutcome } from './http-drain';
import { Admission } from './limits/admission';
import { lazyChild, type Logger } from './logger';
import type { GatewayMetrics } from './observability/metrics';
import { createMetricsServer, type MetricsServer } from './observability/metrics-server';
import { elastiCacheProbe, Readiness } from './readiness';
import { lookupServerlessCacheSnapshot } from './operations/describe-serverless-cache-snapshots';
import { buildSchema } from './schema';
import { SnapshotStatusWatcher } from './snapshots/status-watcher';
import { listenFailure } from './startup-checks';
import { createSharedStores } from './stores';
import { serveSubscriptions, type SubscriptionServer } from './subscriptions';
import { registerPossibleTypesRoute } from './possible-types';
import { registerConsoleRoutes } from './console-route';
import { LeanPath } from './trusted-documents/lean-path';
import { TrustedDocuments } from './trusted-documents/manifest';
import { TrustedDocumentRouting } from './trusted-documents/routing';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayDependencies {
  config: GatewayConfig;
  logger: Logger;
  elasticache: ElastiCacheClient;
  metrics: GatewayMetrics;
  /**
   * Built by the caller when the credential files are to be read before anything listens
   * (src/main.ts); built here from `config.auth` otherwise.
   */
  authenticator?: Authenticator;
}

export interface Gateway {
  readonly app: FastifyInstance;
  /**
   * Starts the metrics listener unless it is off, then listens on the configured host and port
   * (0 = any free port), last, so that nothing answers on it unless everything else is up; resolves
   * to the base URL. A port in use (or not allowed) is a `StartupError` naming the setting, and
   * leaves no listener open.
   */
  listen(): Promise<string>;
  /** The metrics listener's base URL once listening; undefined when `METRICS_PORT=off`. */
  readonly metricsUrl: string | undefined;
  /**
   * Reads the API key and group policy files again (SIGHUP): revoked keys stop working at once. A
   * file that cannot be used leaves the credentials as they were, and the error says why.
   */
  reloadCredentials(): Promise<void>;
  /**
   * Stops (SIGTERM): /ready answers 503 at once, no new connection is accepted, subscriptions end
   * (WebSocket close 1001), running requests finish and are answered, within SHUTDOWN_GRACE_MS;
   * then what is left is cut. Resolves with what was cut; calling it again returns the same stop.
   */
  close(): Promise<DrainOutcome>;
}

export async function createGateway({ config, logger, elasticache, metrics, ...given }: GatewayDependencies): Promise<Gateway> {
  const authenticator = given.authenticator ?? (await Authenticator.create(config.auth));
  const authLogger = logger.child({ component: 'auth' });
  if (config.auth.disabled) {
    authLogger.warn('authentication is disabled (AUTH_DISABLED=true): the gateway trusts whatever is in front of it; every caller is anonymous with every scope and every cache');
  } else if (authenticator.anonymous) {
    authLogger.warn(
      { backend: config.backend },
      'authentication is off: every caller is anonymous with every scope and every cache (set AUTH_JWT_ISSUER or AUTH_API_KEYS_FILE to require credentials)',
    );
  } else {
    authLogger.info({ ...authenticator.describe() }, 'authentication is on');
    // Fetch the issuer's discovery document now rather than during the first request.
    authenticator.warmUp().catch((error: unknown) => authLogger.error({ reason: (error as Error).message }, 'the token issuer is not usable yet; requests will retry'));
  }
  const aws = new AwsLayer(elasticache, config, logger, metrics);
  const stores = await createSharedStores(config, logger, metrics);
  const snapshotStatus = new SnapshotStatusWatcher(
    (name) => {
      metrics.recordPoll();
      return lookupServerlessCacheSnapshot(aws.unrequested, name);
    },
    config.subscriptions,
    logger,
    stores.pollElection,
  );
  metrics.watchedSnapshots(() => snapshotStatus.activePolls);
  metrics.pollsHeld(() => snapshotStatus.pollsHeld);
  // Bucket names are matched like cache names: `*` wildcards, linear time.
  const exportBuckets = new CachePatterns(config.exports.s3Buckets);
  const contextFor = createContextFactory({
    logger,
    aws,
    reads: config.reads,
    snapshotStatus,
    // A create holds its key through its own call and the describe that may reconcile it.
    idempotentMutations: {
      records: stores.idempotencyRecords,
      leaseMs: 2 * config.upstream.callDeadlineMs + 5_000,
      onReplay: (mutation) => metrics.recordReplay(mutation),
    },
    mayExportTo: (bucket) => exportBuckets.matches(bucket),
  });
  const schema = buildSchema();
  // Read and checked before anything listens: a manifest the gateway would refuse fails the start.
  const trustedDocuments =
    config.graphql.trustedDocumentsFile === undefined ? TrustedDocuments.NONE : await TrustedDocuments.load(config.graphql.trustedDocumentsFile, schema, config.graphql);
  const trustedRouting = new TrustedDocumentRouting(trustedDocuments, config.graphql.trustedDocumentsOnly);
  const formatError = maskErrors();
  const operations = new OperationObserver(metrics);
  const clientAddress = clientAddressOf(config.limits.trustedProxies);
  const admission = new Admission(schema, config.graphql, config.limits, stores.rateLimits, () => metrics.recordRateLimitFailOpen());
  const leanPath = new LeanPath({
    schema,
    admission,
    operations,
    formatError,
    // A query never joins a run older than the last write, as reads below never join an older read.
    sharing: { writesSoFar: () => aws.readSharing.writes, counted: (outcome) => metrics.recordQuerySharing(outcome) },
  });
  const metricsPort = config.metrics.port;
  const metricsServer: MetricsServer | undefined =
    metricsPort === undefined ? undefined : createMetricsServer({ ...config.metrics, port: metricsPort }, metrics, logger);
  let metricsUrl: string | undefined;
  // Its own deadline: a probe waits for the check, and probes time out in a second or two. It
  // shares no reads: a kept answer would say AWS is reachable when it may no longer be.
  const readinessSource = new ElastiCacheDataSource(elasticache, { callDeadlineMs: config.lifecycle.readyCheckTimeoutMs, logger, metrics });
  const readiness = new Readiness(elastiCacheProbe(readinessSource), { intervalMs: config.lifecycle.readyCheckIntervalMs }, stores.readinessChecks);

  const httpLogger: FastifyBaseLogger = logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    // One debug line per request (below) instead of Fastify's two info lines: cheaper under load.
    // Fastify's own lines name the request id as every other line does.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    // Every request's `request.log`, made like the context's logger: only when a line is written.
    childLoggerFactory: (parent, bindings, options) => (Object.keys(options).length === 0 ? lazyChild(parent as Logger, bindings) : parent.child(bindings, options)),
    bodyLimit: config.graphql.bodyLimitBytes,
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    // The drain below answers requests that arrive on open connections while the gateway stops
    // (with `Connection: close`): /ready says 503 itself, and a caller is not refused work it sent
    // before the load balancer noticed.
    return503OnClosing: false,
  });
  const drain = new HttpDrain(app.server);

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    logger: logger.child({ component: 'apollo' }),
    formatError,
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: config.graphql.maxTokens },
    // Signals are src/main.ts's: Apollo's own handler would stop without the grace, then kill the
    // process with the signal again before the AWS client is destroyed.
    stopOnTerminationSignals: false,
    validationRules: validationRules(config.graphql),
    plugins: [
      // The schema declares no cache hints: without this, Apollo wraps every field resolver to
      // compute a cache policy of max-age 0 for each response (about 40 µs a request, measured with
      // the benchmark, README). The `cache-control: no-store` it sent is set in onSend below.
      ApolloServerPluginCacheControlDisabled(),
      // Inline tracing only ever applies to a federated subgraph, which this schema is not.
      ApolloServerPluginInlineTraceDisabled(),
      {
        // Admission: the same stage the WebSocket path calls (src/limits/admission.ts); then the
        // operation's log line and metrics (src/observability/operations.ts), as on the WebSocket.
        requestDidStart: () => {
          const startedAt = process.hrtime.bigint();
          return Promise.resolve({
            didResolveOperation: ({ document, operationName, request, contextValue }) =>
              admission.admit({ document, operationName, variables: request.variables, principal: contextValue.principal, logger: contextValue.logger }),
            didEncounterErrors: ({ errors, contextValue }) => {
              operations.logUnexpected(contextValue.logger, errors);
              return Promise.resolve();
            },
            willSendResponse: ({ response, operation, operationName, contextValue }) => {
              const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
              operations.finishOperation(contextValue, {
                name: operationName ?? undefined,
                type: operation?.operation,
                transport: 'http',
                startedAt,
                errorCodes: (body?.errors ?? []).map(errorCodeOf),
              });
              return Promise.resolve();
            },
          });
        },
      },
      config.graphql.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  // Attached once the port is open: the WebSocket server re-emits the HTTP server's errors, and
  // graphql-ws prints a failed listen (a port in use) as an internal error with its stack.
  let subscriptions: SubscriptionServer | undefined;
  const serveWebSockets = () =>
    serveSubscriptions({
      httpServer: app.server,
      path: GRAPHQL_PATH,
      schema,
      config: config.graphql,
      limits: config.limits,
      authenticator,
      admission,
      clientAddress,
      logger,
      formatError,
      contextFor,
      operations,
      trustedDocuments: trustedRouting,
    });
  await apollo.start();

  // Callback hooks, not async ones: no promise per request and hook.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  if (logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
      done();
    });
  }
  if (config.graphql.corsOrigins.length > 0) {
    // Front ends served from another origin need CORS; same-origin callers and servers do not.
    await app.register(cors, {
      origin: config.graphql.corsOrigins.includes('*') ? '*' : config.graphql.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'apollo-require-preflight', 'x-apollo-operation-name'],
      exposedHeaders: ['x-request-id', 'www-authenticate', 'retry-after', 'etag'],
      maxAge: 600,
    });
  }
  // Request logging is off (one debug line below): a request that fails outside GraphQL (a hook
  // that throws) must still leave a line with its request id.
  app.addHook('onError', (request, reply, error, done) => {
    if ((error.statusCode ?? 500) >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    done();
  });
  app.decorateRequest('principal', null);
  const authenticate = authenticationHook(authenticator, authLogger, clientAddress, (failure) => operations.authenticationRefused(failure, 'http'));
  app.route({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    onRequest: [refuseUnsupportedCharset, authenticate],
    handler: graphqlRouteHandler(
      apollo,
      (request) => {
        // The authentication hook lets no request through without one.
        if (request.principal === null) throw new Error('GraphQL request without a principal');
        return Promise.resolve(contextFor({ requestId: request.id, principal: request.principal }));
      },
      {
        routing: trustedRouting,
        lean: leanPath,
        formatError,
        routed: (path, request, refusal) => {
          metrics.recordHttpPath(path);
          if (refusal !== undefined) request.log.info({ code: refusal.extensions?.code, message: refusal.message }, 'GraphQL request refused before it ran');
        },
      },
    ),
  });
  // Apollo Client's `possibleTypes`, from the schema served above, behind the same authentication.
  registerPossibleTypesRoute(app, schema, [authenticate]);
  // The reference console's static files, public; its GraphQL calls go through /graphql above.
  if (config.graphql.console) registerConsoleRoutes(app, logger.child({ component: 'console' }));
  // Liveness: the process serves. Says nothing of AWS, so a restart is never the answer to an outage.
  app.get('/health', (_request, reply) => reply.send({ status: 'ok' }));
  // Readiness, public like /health: it says which check failed, never why in AWS's words.
  app.get('/ready', async (_request, reply) => {
    const state = await readiness.state();
    return reply.code(state.status === 'ready' ? 200 : 503).send(state);
  });

  let stopping: Promise<DrainOutcome> | undefined;
  const stop = async (): Promise<DrainOutcome> => {
    const lifecycleLogger = logger.child({ component: 'lifecycle' });
    // Before the first await: a probe arriving after the signal must already see 503.
    readiness.startDraining();
    // graphql-ws closes each socket with 1001 (going away); the drain waits for the handshakes.
    const socketsClosed = subscriptions?.dispose().catch((error: unknown) => lifecycleLogger.warn({ err: error }, 'WebSockets not closed cleanly'));
    snapshotStatus.close();
    const outcome = await drain.drain(config.lifecycle.shutdownGraceMs);
    await socketsClosed;
    await stores.close();
    // The HTTP server is closed by now; this runs Fastify's and Apollo's own close hooks.
    await app.close();
    await apollo.stop();
    await metricsServer?.close();
    return outcome;
  };

  return {
    app,
    get metricsUrl() {
      return metricsUrl;
    },
    async listen() {
      if (metricsServer !== undefined && metricsPort !== undefined) {
        try {
          metricsUrl = await metricsServer.listen();
        } catch (error) {
          throw listenFailure(error, { port: 'METRICS_PORT', host: 'METRICS_HOST' }, config.metrics.host, metricsPort);
        }
      }
      try {
        await app.listen({ host: config.host, port: config.port });
      } catch (error) {
        await metricsServer?.close();
        throw listenFailure(error, { port: 'PORT', host: 'HOST' }, config.host, config.port);
      }
      subscriptions = serveWebSockets();
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
    },
    async reloadCredentials() {
      const counts = await authenticator.reload();
      authLogger.info(counts, 'credentials reloaded');
      await subscriptions?.revalidate();
    },
    close() {
      stopping ??= stop();
      return stopping;
    },
  };
}
