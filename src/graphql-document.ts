/**
 * The checks every GraphQL document passes before anything runs, whichever door it came through:
 * Apollo Server applies them to HTTP requests, and the WebSocket path calls `parseAndValidate`, so a
 * document is refused with the same code over both (`GRAPHQL_PARSE_FAILED`,
 * `GRAPHQL_VALIDATION_FAILED`), and the same error mask applies after.
 */
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  GraphQLError,
  MaxIntrospectionDepthRule,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { GraphQLConfig } from './config';

/** Rules beyond graphql-js's `specifiedRules`, which Apollo Server already applies. */
export const GATEWAY_VALIDATION_RULES: readonly ValidationRule[] = [MaxIntrospectionDepthRule];

export type CheckedDocument = { document: DocumentNode } | { errors: GraphQLError[] };

/** For paths Apollo Server does not serve: the same parse options and rules, the same error codes. */
export function parseAndValidate(schema: GraphQLSchema, source: string, config: GraphQLConfig): CheckedDocument {
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: config.maxTokens });
  } catch (error) {
    const extensions = { code: ApolloServerErrorCode.GRAPHQL_PARSE_FAILED };
    const parseError =
      error instanceof GraphQLError
        ? new GraphQLError(error.message, { source: error.source, positions: error.positions, extensions })
        : new GraphQLError('The document could not be parsed.', { extensions });
    return { errors: [parseError] };
  }
  const rules = [...specifiedRules, ...GATEWAY_VALIDATION_RULES, ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const errors = validate(schema, document, rules);
  if (errors.length > 0) {
    return {
      errors: errors.map(
        (error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED } }),
      ),
    };
  }
  return { document };
}
