/**
 * The checks every GraphQL document passes before anything runs, whichever door it came through:
 * Apollo Server applies them to HTTP requests, and the WebSocket path calls `documentChecker`'s check, so a
 * document is refused with the same code over both (`GRAPHQL_PARSE_FAILED`,
 * `GRAPHQL_VALIDATION_FAILED`), and the same error mask applies after.
 */
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
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

/**
 * Rules beyond graphql-js's `specifiedRules` (which Apollo Server applies itself): graphql-armor's
 * depth, alias and directive limits, and graphql-js's bound on introspection depth. The cost limit
 * needs the operation's variables, so it is applied at admission (src/limits/admission.ts).
 */
export function validationRules(config: GraphQLConfig): ValidationRule[] {
  const expose = { exposeLimits: config.exposeLimits };
  return [
    MaxIntrospectionDepthRule,
    // Fragments add no depth: what costs is how deep the data goes, not how the document is written.
    maxDepthRule({ n: config.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...expose }),
    maxAliasesRule({ n: config.maxAliases, allowList: ['__typename'], ...expose }),
    maxDirectivesRule({ n: config.maxDirectives, ...expose }),
  ];
}

export type CheckedDocument = { document: DocumentNode } | { errors: GraphQLError[] };

/** For paths Apollo Server does not serve: the same parse options and rules, the same error codes. */
export function documentChecker(schema: GraphQLSchema, config: GraphQLConfig): (source: string) => CheckedDocument {
  const rules = [...specifiedRules, ...validationRules(config), ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  return (source) => parseAndValidate(schema, source, config, rules);
}

function parseAndValidate(schema: GraphQLSchema, source: string, config: GraphQLConfig, rules: readonly ValidationRule[]): CheckedDocument {
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
