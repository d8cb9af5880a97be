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
import { authenticationHook } from './auth/http';
import type { GatewayConfig } from './config';
import { createContextFactory, type GatewayContext } from './context';
import { ElastiCacheDataSource } from './elasticache/data-source';
import { maskErrors } from './errors';
import { GATEWAY_VALIDATION_RULES } from './graphql-document';
import { graphqlRouteHandler } from './graphql-route';
import type { Logger } from './logger';
import type { GatewayMetrics } from './observability/metrics';
import { buildSchema } from './schema';
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
  /** Listens on the configured host and port (0 = any free port); resolves to the base URL. */
  listen(): Promise<string>;
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
  if (authenticator.anonymous) {
    authLogger.warn(
      { backend: config.backend },
      'authentication is off: every caller is anonymous with every scope and every cache (set AUTH_JWT_ISSUER or AUTH_API_KEYS_FILE to require credentials)',
    );
  } else {
    // Fetch the issuer's discovery document now rather than during the first request.
    authenticator.warmUp().catch((error: unknown) => authLogger.warn({ err: error }, 'the token issuer could not be reached yet; requests will retry'));
  }
  const dataSource = new ElastiCacheDataSource(elasticache, { callDeadlineMs: config.upstream.callDeadlineMs, logger, metrics });
  const snapshotStatus = new SnapshotStatusWatcher((name) => dataSource.describeServerlessCacheSnapshot(name), config.subscriptions, logger);
  const contextFor = createContextFactory({ logger, elasticache: dataSource, reads: config.reads, snapshotStatus });
  const schema = buildSchema();
  const formatError = maskErrors(logger);

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
    validationRules: [...GATEWAY_VALIDATION_RULES],
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
              await subscriptions.dispose();
            },
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
    authenticator,
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
      allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name'],
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    });
  }
  app.decorateRequest('principal', null);
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: GRAPHQL_PATH,
    preHandler: authenticationHook(authenticator, authLogger),
    handler: graphqlRouteHandler(apollo, (request) => {
      // The hook sets a principal on every request it lets through except CORS preflights, which
      // Apollo answers without building a context.
      if (request.principal === null) throw new Error('GraphQL request without a principal');
      return Promise.resolve(contextFor({ requestId: request.id, principal: request.principal }));
    }),
  });
  app.get('/health', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    void reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  return {
    app,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
    },
    async reloadCredentials() {
      const counts = await authenticator.reload();
      authLogger.info(counts, 'credentials reloaded');
    },
    async close() {
      await app.close();
    },
  };
}
