/**
 * The gateway's HTTP server: Fastify with Apollo Server at /graphql, plus /health and /metrics.
 * Everything expensive (schema, Apollo, the ElastiCache client) is built once here, never per
 * request; the context factory is the only per-request construction.
 */
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Authenticator } from './auth/authenticator';
import { CachePatterns } from './auth/cache-patterns';
import { authenticationHook } from './auth/http';
import type { GatewayConfig } from './config';
import { createContextFactory, type GatewayContext } from './context';
import { ElastiCacheDataSource } from './elasticache/data-source';
import { maskErrors } from './errors';
import { clientAddressOf } from './client-address';
import { validationRules } from './graphql-document';
import { graphqlRouteHandler, refuseUnsupportedCharset } from './graphql-route';
import { Admission } from './limits/admission';
import { UpstreamConcurrency } from './limits/concurrency';
import { MemoryTokenBucketStore } from './limits/token-buckets';
import type { Logger } from './logger';
import type { GatewayMetrics } from './observability/metrics';
import { createMetricsServer, type MetricsServer } from './observability/metrics-server';
import { MemoryIdempotencyRecords } from './idempotency/records';
import { lookupServerlessCacheSnapshot } from './operations/describe-serverless-cache-snapshots';
import { buildSchema } from './schema';
import type { StoredAnswer } from './snapshots/service';
import { SnapshotStatusWatcher } from './snapshots/status-watcher';
import { serveSubscriptions } from './subscriptions';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayDependencies {
  config: GatewayConfig;
  logger: Logger;
  elasticache: ElastiCacheClient;
  metrics: GatewayMetrics;
}

export interface Gateway {
  readonly app: FastifyInstance;
  /**
   * Listens on the configured host and port (0 = any free port), and starts the metrics listener
   * unless it is off; resolves to the base URL.
   */
  listen(): Promise<string>;
  /** The metrics listener's base URL once listening; undefined when `METRICS_PORT=off`. */
  readonly metricsUrl: string | undefined;
  /**
   * Reads the API key and group policy files again (SIGHUP): revoked keys stop working at once. A
   * file that cannot be used leaves the credentials as they were, and the error says why.
   */
  reloadCredentials(): Promise<void>;
  /** Stops accepting requests, lets running operations finish, then closes. */
  close(): Promise<void>;
}

export async function createGateway({ config, logger, elasticache, metrics }: GatewayDependencies): Promise<Gateway> {
  const authenticator = await Authenticator.create(config.auth);
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
  const dataSource = new ElastiCacheDataSource(elasticache, { callDeadlineMs: config.upstream.callDeadlineMs, logger, metrics });
  const snapshotStatus = new SnapshotStatusWatcher((name) => lookupServerlessCacheSnapshot(dataSource, name), config.subscriptions, logger);
  const upstreamConcurrency = new UpstreamConcurrency(config.limits.upstreamConcurrencyPerRequest, config.limits.upstreamConcurrencyPerPrincipal);
  // Bucket names are matched like cache names: `*` wildcards, linear time.
  const exportBuckets = new CachePatterns(config.exports.s3Buckets);
  const idempotencyRecords = new MemoryIdempotencyRecords<StoredAnswer>({ maxRecords: config.idempotency.maxRecords });
  const contextFor = createContextFactory({
    logger,
    elasticache: dataSource,
    reads: config.reads,
    snapshotStatus,
    upstreamConcurrency,
    // A create holds its key through its own call and the describe that may reconcile it.
    idempotentCreates: { records: idempotencyRecords, leaseMs: 2 * config.upstream.callDeadlineMs + 5_000 },
    mayExportTo: (bucket) => exportBuckets.matches(bucket),
  });
  const schema = buildSchema();
  const formatError = maskErrors(logger);
  const clientAddress = clientAddressOf(config.limits.trustedProxies);
  const rateLimits = new MemoryTokenBucketStore();
  const admission = new Admission(schema, config.graphql, config.limits, rateLimits);
  const metricsPort = config.metrics.port;
  const metricsServer: MetricsServer | undefined =
    metricsPort === undefined ? undefined : createMetricsServer({ ...config.metrics, port: metricsPort }, metrics, logger);
  let metricsUrl: string | undefined;

  const httpLogger: FastifyBaseLogger = logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    // One debug line per request (below) instead of Fastify's two info lines: cheaper under load.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.graphql.bodyLimitBytes,
    genReqId: () => randomUUID(),
  });

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
    validationRules: validationRules(config.graphql),
    plugins: [
      // The schema declares no cache hints: without this, Apollo wraps every field resolver to
      // compute a cache policy of max-age 0 for each response (about 40 µs a request, measured with
      // the benchmark, README). The `cache-control: no-store` it sent is set in onSend below.
      ApolloServerPluginCacheControlDisabled(),
      // Inline tracing only ever applies to a federated subgraph, which this schema is not.
      ApolloServerPluginInlineTraceDisabled(),
      fastifyApolloDrainPlugin(app),
      {
        // Subscriptions end with the server: sockets closed, polls stopped.
        serverWillStart: () =>
          Promise.resolve({
            drainServer: async () => {
              snapshotStatus.close();
              rateLimits.close();
              await subscriptions.dispose();
              await metricsServer?.close();
            },
          }),
        // Admission: the same stage the WebSocket path calls (src/limits/admission.ts).
        requestDidStart: () =>
          Promise.resolve({
            didResolveOperation: ({ document, operationName, request, contextValue }) =>
              admission.admit({ document, operationName, variables: request.variables, principal: contextValue.principal }),
          }),
      },
      config.graphql.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  const subscriptions = serveSubscriptions({
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
      exposedHeaders: ['x-request-id', 'www-authenticate', 'retry-after'],
      maxAge: 600,
    });
  }
  app.decorateRequest('principal', null);
  app.route({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    onRequest: [refuseUnsupportedCharset, authenticationHook(authenticator, authLogger, clientAddress)],
    handler: graphqlRouteHandler(apollo, (request) => {
      // The authentication hook lets no request through without one.
      if (request.principal === null) throw new Error('GraphQL request without a principal');
      return Promise.resolve(contextFor({ requestId: request.id, principal: request.principal }));
    }),
  });
  app.get('/health', (_request, reply) => reply.send({ status: 'ok' }));

  return {
    app,
    get metricsUrl() {
      return metricsUrl;
    },
    async listen() {
      if (metricsServer !== undefined) metricsUrl = await metricsServer.listen();
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
    },
    async reloadCredentials() {
      const counts = await authenticator.reload();
      authLogger.info(counts, 'credentials reloaded');
      await subscriptions.revalidate();
    },
    async close() {
      // Apollo's drain: the HTTP server closes (fastifyApolloDrainPlugin) while sockets, polls,
      // rate-limit buckets and the metrics listener are stopped by the plugin above.
      await apollo.stop();
    },
  };
}
