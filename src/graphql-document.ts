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
  getOperationAST,
  getVariableValues,
  GraphQLError,
  MaxIntrospectionDepthRule,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { GraphQLConfig } from './config';

/**
 * Rules beyond graphql-js's `specifiedRules` (which Apollo Server applies itself): graphql-armor's
 * depth, alias and directive limits, and graphql-js's bound on introspection depth. The cost limit
 * needs the operation's variables, so it is applied at admission (src/limits/admission.ts).
 */
export function validationRules(config: GraphQLConfig): ValidationRule[] {
  const expose = {
    exposeLimits: config.exposeLimits,
    // graphql-armor throws a rejection out of validate() by default, which Apollo answers with a
    // 500 and graphql-ws with a closed socket; reported instead, it is a validation error like any.
    propagateOnRejection: false,
    onReject: [reportRejection],
  };
  return [
    MaxIntrospectionDepthRule,
    // Fragments add no depth: what costs is how deep the data goes, not how the document is written.
    maxDepthRule({ n: config.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...expose }),
    maxAliasesRule({ n: config.maxAliases, allowList: ['__typename'], ...expose }),
    maxDirectivesRule({ n: config.maxDirectives, ...expose }),
  ];
}

function reportRejection(context: ValidationContext | null, error: GraphQLError): void {
  // graphql-armor words its rejections "Syntax Error: …", though the syntax was fine.
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { nodes: error.nodes }));
}

export type CheckedDocument = { document: DocumentNode } | { errors: GraphQLError[] };

export interface OperationSource {
  query: string;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
}

/**
 * For paths Apollo Server does not serve: the same parse options and rules, then the operation
 * named and its variables, each refused with the code Apollo gives (`GRAPHQL_PARSE_FAILED`,
 * `GRAPHQL_VALIDATION_FAILED`, `OPERATION_RESOLUTION_FAILURE`, `BAD_USER_INPUT`).
 */
export function documentChecker(schema: GraphQLSchema, config: GraphQLConfig): (source: OperationSource) => CheckedDocument {
  const validateDocument = documentValidator(schema, config);
  return ({ query, operationName, variables }) => {
    const checked = validateDocument(query);
    if ('errors' in checked) return checked;
    const operation = getOperationAST(checked.document, operationName);
    if (!operation) {
      const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return { errors: [new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE } })] };
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) {
      return {
        errors: coerced.errors.map(
          (error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ApolloServerErrorCode.BAD_USER_INPUT } }),
        ),
      };
    }
    return checked;
  };
}

/**
 * The document alone (no operation chosen, no variables): parsed with the token limit and
 * validated with every rule, as Apollo Server does for HTTP requests.
 */
export function documentValidator(schema: GraphQLSchema, config: GraphQLConfig): (source: string) => CheckedDocument {
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
