/**
 * The lean path: a registered document, already parsed and validated at start, executed without
 * Apollo Server's per-request machinery (its request parsing, plugin dispatch, document cache and
 * response assembly), which costs more than the execution itself for the small operations front
 * ends send most.
 *
 * It is not a second pipeline. Authentication ran in the route's hook, as for Apollo; the context
 * comes from the one factory (so authorization and audit run in the services as always); admission
 * (cost and rate limits), the log line and metrics, and the error mask are the same functions the
 * Apollo plugin in src/server.ts calls. What it does itself is what Apollo would do with them: the
 * order of the stages, error normalisation, the status and the body's layout. The differential test
 * (test/gateway/trusted-documents.test.ts) sends every kind of request down both paths and requires
 * the same status, headers and body.
 *
 * One thing it adds: identical queries in flight together, from the same caller with the same
 * grants, share one execution once each is admitted (src/trusted-documents/shared-executions.ts).
 */
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { execute, GraphQLError, Kind, OperationTypeNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context';
import type { Admission } from '../limits/admission';
import { errorCodeOf, type OperationObserver } from '../observability/operations';
import type { TrustedDocument } from './manifest';
import { callerKey, SharedExecutions, type SharedExecutionOptions } from './shared-executions';

export interface LeanRequest {
  document: TrustedDocument;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | undefined;
  /** The response's content type, as Apollo would choose it for the request's `accept`. */
  contentType: string;
}

export interface LeanResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

export interface LeanPathStages {
  schema: GraphQLSchema;
  admission: Admission;
  operations: OperationObserver;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** How identical queries in flight share one run (src/trusted-documents/shared-executions.ts). */
  sharing: SharedExecutionOptions;
}

/** A request's answer, as one run produced it (shared by every query that joined the run). */
interface Answer extends LeanResponse {
  errorCodes: string[];
}

export class LeanPath {
  private readonly shared: SharedExecutions<Answer>;

  constructor(private readonly stages: LeanPathStages) {
    this.shared = new SharedExecutions(stages.sharing);
  }

  async run(request: LeanRequest, context: GatewayContext): Promise<LeanResponse> {
    const startedAt = process.hrtime.bigint();
    const { operation } = request;
    const operationName = operation.name?.value;
    const finish = (answer: Answer, sharedRunOf?: string): LeanResponse => {
      this.stages.operations.finishOperation(context, {
        name: operationName,
        type: operation.operation,
        transport: 'http',
        startedAt,
        errorCodes: answer.errorCodes,
        sharedRunOf,
      });
      return { status: answer.status, headers: answer.headers, body: answer.body };
    };

    try {
      await this.stages.admission.admit({ document: request.document.document, operationName, variables: request.variables, principal: context.principal, logger: context.logger });
    } catch (refused) {
      // A request refused before execution: Apollo's answer is the error alone, 500 unless it says.
      const errors = [asGraphQLError(refused)];
      this.stages.operations.logUnexpected(context.logger, errors);
      const head = headFor(request);
      const formatted = this.format(errors, head);
      head.status ??= 500;
      return finish(answerOf(head, { errors: formatted }));
    }
    // Every request is admitted on its own; only then may a query join an identical one running.
    if (operation.operation !== OperationTypeNode.QUERY) return finish(await this.execute(request, context));
    const { answer, joined } = await this.shared.run(sharingKey(request, context), context.requestId, () => this.execute(request, context));
    return finish(answer, joined);
  }

  private async execute(request: LeanRequest, context: GatewayContext): Promise<Answer> {
    const { document, operation, variables } = request;
    const head = headFor(request);
    const result = await execute({ schema: this.stages.schema, document: document.document, contextValue: context, variableValues: variables, operationName: operation.name?.value });
    if (result.errors === undefined) return answerOf(head, { data: result.data });
    const errors = result.errors.map((error) => (isVariableCoercionError(error) && error.extensions.code == null ? asUserInputError(error) : error));
    this.stages.operations.logUnexpected(context.logger, errors);
    const formatted = this.format(errors, head);
    // Apollo answers 400 when the variables could not be coerced (nothing ran, so no data).
    if (result.data === undefined) head.status ??= 400;
    return answerOf(head, { errors: formatted, data: result.data });
  }

  /** Apollo's normalisation, then the gateway's mask; `extensions.http` goes to the response head. */
  private format(errors: readonly GraphQLError[], head: Head): GraphQLFormattedError[] {
    return errors.map((error) => {
      const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? ApolloServerErrorCode.INTERNAL_SERVER_ERROR };
      const http = extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
      // Apollo's test for a response head: a status number and a Map of headers, or it is left alone.
      if (http !== null && typeof http === 'object' && (http.status === undefined || typeof http.status === 'number') && (http.headers === undefined || http.headers instanceof Map)) {
        if (typeof http.status === 'number') head.status = http.status;
        for (const [name, value] of http.headers ?? []) {
          const at = head.headers.findIndex(([existing]) => existing === name);
          if (at === -1) head.headers.push([name, value]);
          else head.headers[at] = [name, value];
        }
        delete extensions.http;
      }
      try {
        return this.stages.formatError({ ...error.toJSON(), extensions }, error);
      } catch {
        return { message: 'Internal server error', extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR } };
      }
    });
  }
}

interface Head {
  status: number | undefined;
  headers: [string, string][];
}

const headFor = (request: LeanRequest): Head => ({ status: undefined, headers: [['content-type', request.contentType]] });

function answerOf(head: Head, result: { errors?: GraphQLFormattedError[]; data?: unknown }): Answer {
  return {
    status: head.status ?? 200,
    headers: head.headers,
    // Apollo's layout: errors first, then data; one trailing newline.
    body: `${JSON.stringify({ errors: result.errors, data: result.data })}\n`,
    errorCodes: (result.errors ?? []).map(errorCodeOf),
  };
}

/**
 * Queries with this key in flight together have one answer: same document, operation, variables,
 * response type, caller and grants. Null (never shared) for variables JSON text cannot tell apart
 * from others: a number too large for a double parses as Infinity and prints as null, and -0
 * prints as 0, yet each is coerced (or refused) differently.
 */
function sharingKey(request: LeanRequest, context: GatewayContext): string | null {
  if (!printsExactly(request.variables)) return null;
  return JSON.stringify([request.document.hash, request.operation.name?.value ?? null, request.contentType, callerKey(context.principal), request.variables ?? null]);
}

/** Whether JSON.stringify writes `value` so that it parses back the same (a walk: with a replacer instead, the key took 1.7× as long). */
function printsExactly(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(printsExactly);
  for (const key in value) if (!printsExactly((value as Record<string, unknown>)[key])) return false;
  return true;
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const cause = error instanceof Error ? error : new Error(`Unexpected error value: ${String(error)}`);
  return new GraphQLError(cause.message, { originalError: cause });
}

/** graphql-js's words for a variable that could not be coerced (the test Apollo applies). */
function isVariableCoercionError(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const name = node.variable.name.value;
  return ['has invalid value', 'got invalid value ', 'of required type ', 'of non-null type '].some((tail) => error.message.startsWith(`Variable "$${name}" ${tail}`));
}

function asUserInputError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code: ApolloServerErrorCode.BAD_USER_INPUT },
  });
}
