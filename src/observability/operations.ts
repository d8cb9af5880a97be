/**
 * One record per GraphQL operation, whichever door it came through (HTTP or WebSocket): an `info`
 * log line through the request's logger (name, type, principal, duration, outcome, AWS calls), the
 * per-operation metrics, and the log line for each error the mask hides from the client. Nothing
 * of variables or credentials is recorded.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { isClientSafe } from '../errors';
import type { Principal } from '../auth/principal';
import type { Logger } from '../logger';
import type { GatewayMetrics } from './metrics';

/** What an operation's context (src/context.ts) tells of it at its end. */
export interface ObservedContext {
  logger: Logger;
  principal: Principal;
  awsCalls: () => number;
  mutationResults: readonly { field: string; typename: string }[];
}

/** The facts a door knows itself; the rest come from the operation's context. */
export type DoorFacts = Pick<OperationFacts, 'name' | 'type' | 'transport' | 'startedAt' | 'errorCodes' | 'sharedRunOf'>;

export interface OperationFacts {
  /** The operation's name as the client chose it; undefined for an anonymous one. */
  name: string | undefined;
  type: 'query' | 'mutation' | 'subscription' | undefined;
  transport: 'http' | 'websocket';
  /** process.hrtime.bigint() when the operation began. */
  startedAt: bigint;
  /** AWS calls the operation made. */
  awsCalls: number;
  /** `__typename` of each mutation field's result, by field. */
  results: readonly { field: string; typename: string }[];
  /** The errors as the client gets them (after the mask). */
  errorCodes: readonly string[];
  /** The principal's id in logs, when authentication is on. */
  principalId: string | undefined;
  /**
   * The request id of the identical query whose run answered this one (src/trusted-documents/
   * shared-executions.ts): that request's lines hold the run's AWS calls and masked errors.
   */
  sharedRunOf?: string;
}

/** An error's `extensions.code` as the client got it. */
export function errorCodeOf(formatted: GraphQLFormattedError): string {
  const code = formatted.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

export class OperationObserver {
  constructor(private readonly metrics: GatewayMetrics) {}

  /** A request or a WebSocket refused by authentication. */
  authenticationRefused(failure: string, transport: 'http' | 'websocket'): void {
    this.metrics.recordAuthenticationRefusal(failure, transport);
  }

  subscriptionStarted(): void {
    this.metrics.subscriptionStarted();
  }

  subscriptionEnded(): void {
    this.metrics.subscriptionEnded();
  }

  /** Logs the errors the mask hides (the client sees a generic one), with the request's id. */
  logUnexpected(logger: Logger, errors: readonly GraphQLError[]): void {
    for (const error of errors) {
      const original = unwrapResolverError(error);
      if (!isClientSafe(original, error.extensions.code)) logger.error({ err: original, path: error.path }, 'unexpected error masked from the client');
    }
  }

  /** The operation's line and metrics, from what its door saw and what its context gathered. */
  finishOperation(context: ObservedContext, facts: DoorFacts): void {
    this.finish(context.logger, {
      ...facts,
      awsCalls: context.awsCalls(),
      results: context.mutationResults,
      principalId: context.principal.kind === 'anonymous' ? undefined : context.principal.id,
    });
  }

  private finish(logger: Logger, facts: OperationFacts): void {
    const seconds = Number(process.hrtime.bigint() - facts.startedAt) / 1e9;
    const outcome = facts.errorCodes.length === 0 ? 'success' : 'error';
    this.metrics.recordOperation({ name: facts.name, type: facts.type, outcome, seconds, results: facts.results, errorCodes: facts.errorCodes });
    // Built only when written: at LOG_LEVEL=warn an operation costs no log object.
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      {
        operation: { name: facts.name ?? null, type: facts.type ?? null, transport: facts.transport },
        ...(facts.principalId === undefined ? {} : { principalId: facts.principalId }),
        ms: Math.round(seconds * 1e6) / 1e3,
        outcome,
        ...(facts.results.length > 0 ? { results: facts.results } : {}),
        ...(facts.errorCodes.length > 0 ? { errorCodes: facts.errorCodes } : {}),
        awsCalls: facts.awsCalls,
        ...(facts.sharedRunOf === undefined ? {} : { sharedRunOf: facts.sharedRunOf }),
      },
      'graphql operation',
    );
  }
}

/** Where an operation's mutation results are collected (the request's context holds one). */
export interface MutationResults {
  mutationResults: { field: string; typename: string }[];
}

/**
 * Wraps each Mutation field's resolver to note the `__typename` of its result (every result union
 * member carries one), whether or not the client selected it.
 */
export function recordMutationResults(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (resolve === undefined) continue;
    field.resolve = async (source, args, context: MutationResults, info) => {
      const result: unknown = await resolve(source, args, context, info);
      const typename = typeof result === 'object' && result !== null ? (result as { __typename?: unknown }).__typename : undefined;
      if (typeof typename === 'string') context.mutationResults.push({ field: info.fieldName, typename });
      return result;
    };
  }
  return schema;
}
