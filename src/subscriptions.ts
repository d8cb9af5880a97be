/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's own port and path, for
 * subscriptions. A socket meets the same stages as an HTTP request, each called from the module
 * the HTTP path uses: the origin check (CORS's counterpart), authentication (credentials in
 * `connection_init`), the document checks (`documentChecker`), admission (cost and rate limits),
 * authorization (in the services), and the error mask.
 *
 * - A foreign `Origin` is refused at the upgrade (HTTP 403): no socket, no resolver.
 * - `connection_init` must come within 5 s; a message over 64 KiB closes the socket (1009).
 * - Without valid credentials the socket is closed with 4403 before any operation starts; when the
 *   issuer cannot be reached, with 1013 (try again later); when the principal already holds
 *   `SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL` sockets, with 4429.
 * - When the token expires, the socket is closed with 4401.
 * - At most `SUBSCRIPTION_MAX_PER_CONNECTION` operations run at once on a socket; one more gets an
 *   error and the socket stays usable.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, OperationTypeNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { AuthenticationError, type Authenticator } from './auth/authenticator';
import { credentialsFromConnectionParams, type PresentedCredentials } from './auth/credentials';
import { principalKey, type Principal } from './auth/principal';
import type { GraphQLConfig, LimitsConfig } from './config';
import type { ContextFactory, GatewayContext } from './context';
import type { ClientAddress } from './client-address';
import { GatewayError, GatewayErrorCode } from './errors';
import { documentChecker } from './graphql-document';
import type { Admission } from './limits/admission';
import type { Logger } from './logger';
import { errorCodeOf, type OperationObserver } from './observability/operations';
import { isAllowedOrigin } from './origins';
import type { TrustedDocumentRouting } from './trusted-documents/routing';

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  config: GraphQLConfig;
  limits: LimitsConfig;
  authenticator: Authenticator;
  admission: Admission;
  clientAddress: ClientAddress;
  logger: Logger;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  contextFor: ContextFactory;
  /** Each operation's log line and metrics, as on HTTP. */
  operations: OperationObserver;
  /** TRUSTED_DOCUMENTS_ONLY's refusal, as on HTTP. */
  trustedDocuments: TrustedDocumentRouting;
}

/** What the socket keeps of an operation it runs, until it ends. */
interface RunningOperation {
  context: GatewayContext;
  name: string | undefined;
  type: 'query' | 'mutation' | 'subscription' | undefined;
  startedAt: bigint;
  errorCodes: string[];
  /** Counted in the active-subscriptions gauge (it was admitted as a subscription). */
  countedAsSubscription?: boolean;
}

export interface SubscriptionServer {
  /**
   * Checks every open socket's credentials again (after the key or policy files were reloaded):
   * a socket whose credential no longer holds is closed with 4403, the others carry on with what
   * their credential grants now.
   */
  revalidate(): Promise<void>;
  /** Closes every socket and stops accepting new ones. */
  dispose(): Promise<void>;
}

interface LiveSocket {
  credentials: PresentedCredentials;
  clientAddress: string;
  setPrincipal(principal: Principal): void;
  close(code: number, reason: string): void;
}

/** WebSocket close code for "try again later" (RFC 6455 registry). */
const TRY_AGAIN_LATER = 1013;
/** setTimeout's longest delay; a later expiry is re-checked after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Close code for a principal over its socket allowance (graphql-ws leaves 4xxx codes to servers). */
const TOO_MANY_CONNECTIONS = 4429;
const CONNECTION_INIT_WAIT_MS = 5_000;
/** Largest message a client may send: a subscribe message is a document and its variables. */
const MAX_MESSAGE_BYTES = 64 * 1024;

export function serveSubscriptions({
  httpServer,
  path,
  schema,
  config,
  limits,
  authenticator,
  admission,
  clientAddress,
  logger,
  formatError,
  contextFor,
  operations,
  trustedDocuments,
}: SubscriptionServerOptions): SubscriptionServer {
  /**
   * Operations running, by their subscribe message (graphql-ws hands the same payload object to
   * every hook of one operation; an id can be reused once its operation has ended).
   */
  const running = new WeakMap<object, RunningOperation>();
  /** The operation's log line and metrics, once it has ended (completed, failed, refused, or its socket closed). */
  const finish = (payload: object) => {
    const operation = running.get(payload);
    if (operation === undefined) return;
    running.delete(payload);
    const { context } = operation;
    if (operation.countedAsSubscription === true) operations.subscriptionEnded();
    operations.finishOperation(context, {
      name: operation.name,
      type: operation.type,
      transport: 'websocket',
      startedAt: operation.startedAt,
      errorCodes: operation.errorCodes,
    });
  };
  /** Notes the errors an operation's answer carries, logging those the mask hides. */
  const sawErrors = (payload: object, errors: readonly GraphQLError[]) => {
    const operation = running.get(payload);
    if (operation === undefined) return;
    operations.logUnexpected(operation.context.logger, errors);
    for (const formatted of mask(errors)) operation.errorCodes.push(errorCodeOf(formatted));
  };
  const check = documentChecker(schema, config);
  /** Open, authenticated sockets per principal. */
  const connections = new Map<string, number>();
  const live = new Set<LiveSocket>();
  const mask = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  const socketLogger = logger.child({ component: 'websocket' });
  const webSockets = new WebSocketServer({
    server: httpServer,
    path,
    maxPayload: MAX_MESSAGE_BYTES,
    verifyClient: ({ req }, done) => {
      const { origin, host } = req.headers;
      if (isAllowedOrigin(origin, host, config.corsOrigins)) return done(true);
      socketLogger.warn({ origin, clientAddress: req.socket.remoteAddress }, 'WebSocket refused: origin not allowed');
      done(false, 403, 'Forbidden origin');
    },
  });

  const server = useServer<Record<string, unknown> | undefined, { principal: Principal; expiry: NodeJS.Timeout }>(
    {
      connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
      onConnect: async (ctx) => {
        const address = clientAddress(ctx.extra.request);
        const credentials = credentialsFromConnectionParams(ctx.connectionParams);
        let principal: Principal;
        try {
          principal = await authenticator.authenticate(credentials, address);
        } catch (error) {
          if (!(error instanceof AuthenticationError)) throw error;
          socketLogger[error.logLevel]({ failure: error.failure, reason: error.reason, clientAddress: address }, 'WebSocket authentication refused');
          operations.authenticationRefused(error.failure, 'websocket');
          if (error.failure === 'unavailable') ctx.extra.socket.close(TRY_AGAIN_LATER, 'Credentials cannot be checked right now');
          return false;
        }
        // The client may have gone while its credential was checked: nothing to count or watch.
        if (ctx.extra.socket.readyState !== WebSocket.OPEN) return false;
        const key = principalKey(principal);
        const open = connections.get(key) ?? 0;
        if (open >= limits.connectionsPerPrincipal) {
          socketLogger.warn({ principal: { kind: principal.kind, id: principal.id }, open }, 'WebSocket refused: too many connections');
          ctx.extra.socket.close(TOO_MANY_CONNECTIONS, `Too many connections: at most ${limits.connectionsPerPrincipal} per caller`);
          return false;
        }
        connections.set(key, open + 1);
        const socket: LiveSocket = {
          credentials,
          clientAddress: address,
          setPrincipal: (current) => (ctx.extra.principal = current),
          close: (code, reason) => ctx.extra.socket.close(code, reason),
        };
        live.add(socket);
        ctx.extra.socket.once('close', () => {
          live.delete(socket);
          const left = (connections.get(key) ?? 1) - 1;
          if (left > 0) connections.set(key, left);
          else connections.delete(key);
        });
        ctx.extra.principal = principal;
        const { expiresAt } = principal;
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
      onSubscribe: async (ctx, _id, payload) => {
        const { principal } = ctx.extra;
        // onConnect sets it before connection_ack, and graphql-ws refuses operations before that.
        if (principal === undefined) throw new Error('operation on a socket without a principal');
        // Recorded from the start, so an operation refused below gets its line and its count too
        // (graphql-ws reports the refusal through onError).
        const contextValue = contextFor({ requestId: randomUUID(), principal });
        const record: RunningOperation = { context: contextValue, name: undefined, type: undefined, startedAt: process.hrtime.bigint(), errorCodes: [] };
        running.set(payload, record);
        // graphql-ws lists every running operation, this one included.
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          return [
            new GatewayError(
              GatewayErrorCode.SUBSCRIPTION_LIMIT_EXCEEDED,
              `At most ${limits.subscriptionsPerConnection} operations may run at once on one connection. Complete one, or open another connection.`,
            ),
          ];
        }
        const untrusted = trustedDocuments.refusal(payload.query);
        if (untrusted !== undefined) return [untrusted];
        const checked = check(payload);
        if ('errors' in checked) return checked.errors;
        const operation = getOperationAST(checked.document, payload.operationName);
        record.name = operation?.name?.value;
        record.type = operation?.operation;
        try {
          await admission.admit({ document: checked.document, operationName: payload.operationName, variables: payload.variables, principal, logger: contextValue.logger });
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
          operations.subscriptionStarted();
          record.countedAsSubscription = true;
        }
        return {
          schema,
          document: checked.document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue,
        };
      },
      onError: (_ctx, _id, payload, errors) => {
        sawErrors(payload, errors);
        finish(payload);
        return mask(errors);
      },
      onNext: (_ctx, _id, payload, _args, result) => {
        if (!result.errors) return undefined;
        sawErrors(payload, result.errors);
        return { ...result, errors: mask(result.errors) };
      },
      onComplete: (_ctx, _id, payload) => finish(payload),
    },
    webSockets,
  );

  return {
    revalidate: async () => {
      await Promise.all(
        [...live].map(async (socket) => {
          try {
            socket.setPrincipal(await authenticator.authenticate(socket.credentials, socket.clientAddress));
          } catch (error) {
            // An issuer that cannot be reached now says nothing about the credential: keep the socket.
            if (!(error instanceof AuthenticationError) || error.failure === 'unavailable') return;
            socketLogger.info({ failure: error.failure, reason: error.reason }, 'WebSocket closed: its credential no longer holds');
            socket.close(CloseCode.Forbidden, 'Forbidden: the credential no longer holds');
          }
        }),
      );
    },
    dispose: async () => server.dispose(),
  };
}
