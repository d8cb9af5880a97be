/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's own port and path, for
 * subscriptions. Documents sent over a socket meet the same rules as over HTTP: the token limit,
 * the introspection setting and depth limit, and the error mask.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import {
  GraphQLError,
  MaxIntrospectionDepthRule,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GraphQLConfig } from './config';
import type { GatewayContext } from './context';

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  config: GraphQLConfig;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  contextFor: (requestId: string) => GatewayContext;
}

export interface SubscriptionServer {
  /** Closes every socket and stops accepting new ones. */
  dispose(): Promise<void>;
}

export function serveSubscriptions({ httpServer, path, schema, config, formatError, contextFor }: SubscriptionServerOptions): SubscriptionServer {
  const rules = [...specifiedRules, MaxIntrospectionDepthRule, ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const mask = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  const webSockets = new WebSocketServer({ server: httpServer, path, maxPayload: config.bodyLimitBytes });

  const server = useServer<Record<string, unknown> | undefined>(
    {
      onSubscribe: (_ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: config.maxTokens });
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('The document could not be parsed.')];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors;
        return {
          schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue: contextFor(randomUUID()),
        };
      },
      onError: (_ctx, _id, _payload, errors) => mask(errors),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: mask(result.errors) } : undefined),
    },
    webSockets,
  );

  return { dispose: async () => server.dispose() };
}
