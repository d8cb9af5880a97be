/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's own port and path, for
 * subscriptions. A socket meets the same stages as an HTTP request, each called from the module
 * the HTTP path uses: the origin check (CORS's counterpart), authentication (credentials in
 * `connection_init`), the document checks (`parseAndValidate`), authorization (in the services),
 * and the error mask.
 *
 * - A foreign `Origin` is refused at the upgrade (HTTP 403): no socket, no resolver.
 * - Without valid credentials the socket is closed with 4403 before any operation starts; when the
 *   issuer cannot be reached, with 1013 (try again later).
 * - When the token expires, the socket is closed with 4401.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { AuthenticationError, type Authenticator } from './auth/authenticator';
import { credentialsFromConnectionParams } from './auth/credentials';
import type { Principal } from './auth/principal';
import type { GraphQLConfig } from './config';
import type { ContextFactory } from './context';
import { parseAndValidate } from './graphql-document';
import type { Logger } from './logger';
import { isAllowedOrigin } from './origins';

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  config: GraphQLConfig;
  authenticator: Authenticator;
  logger: Logger;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  contextFor: ContextFactory;
}

export interface SubscriptionServer {
  /** Closes every socket and stops accepting new ones. */
  dispose(): Promise<void>;
}

/** WebSocket close code for "try again later" (RFC 6455 registry). */
const TRY_AGAIN_LATER = 1013;
/** setTimeout's longest delay; a later expiry is re-checked after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function serveSubscriptions({
  httpServer,
  path,
  schema,
  config,
  authenticator,
  logger,
  formatError,
  contextFor,
}: SubscriptionServerOptions): SubscriptionServer {
  const mask = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  const socketLogger = logger.child({ component: 'websocket' });
  const webSockets = new WebSocketServer({
    server: httpServer,
    path,
    maxPayload: config.bodyLimitBytes,
    verifyClient: ({ req }, done) => {
      const { origin, host } = req.headers;
      if (isAllowedOrigin(origin, host, config.corsOrigins)) return done(true);
      socketLogger.warn({ origin, clientAddress: req.socket.remoteAddress }, 'WebSocket refused: origin not allowed');
      done(false, 403, 'Forbidden origin');
    },
  });

  const server = useServer<Record<string, unknown> | undefined, { principal: Principal; expiry: NodeJS.Timeout }>(
    {
      onConnect: async (ctx) => {
        const clientAddress = ctx.extra.request.socket.remoteAddress;
        try {
          ctx.extra.principal = await authenticator.authenticate(credentialsFromConnectionParams(ctx.connectionParams), clientAddress);
        } catch (error) {
          if (!(error instanceof AuthenticationError)) throw error;
          socketLogger[error.logLevel]({ failure: error.failure, reason: error.reason, clientAddress }, 'WebSocket authentication refused');
          if (error.failure === 'unavailable') ctx.extra.socket.close(TRY_AGAIN_LATER, 'Credentials cannot be checked right now');
          return false;
        }
        const { expiresAt } = ctx.extra.principal;
        if (expiresAt !== undefined) {
          const closeAtExpiry = () => {
            const left = expiresAt - Date.now();
            if (left > 0) ctx.extra.expiry = setTimeout(closeAtExpiry, Math.min(left, MAX_TIMER_MS));
            else ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized: the token has expired');
          };
          closeAtExpiry();
          ctx.extra.socket.once('close', () => clearTimeout(ctx.extra.expiry));
        }
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        const checked = parseAndValidate(schema, payload.query, config);
        if ('errors' in checked) return checked.errors;
        const { principal } = ctx.extra;
        // onConnect sets it before connection_ack, and graphql-ws refuses operations before that.
        if (principal === undefined) throw new Error('operation on a socket without a principal');
        return {
          schema,
          document: checked.document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue: contextFor({ requestId: randomUUID(), principal }),
        };
      },
      onError: (_ctx, _id, _payload, errors) => mask(errors),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: mask(result.errors) } : undefined),
    },
    webSockets,
  );

  return { dispose: async () => server.dispose() };
}
