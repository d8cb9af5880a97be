/**
 * Admission: the stage every operation passes after its document is checked and before anything
 * runs, whichever door it came through (Apollo Server's `didResolveOperation` for HTTP, the
 * WebSocket's `onSubscribe`). It prices the operation, refuses one that costs more than
 * `GRAPHQL_MAX_COST` (a validation failure, HTTP 400), and charges the principal's token buckets:
 * every operation its cost to the read bucket, and a mutation document also its number of
 * mutation fields to the mutation bucket, both or neither. Over a bucket,
 * the whole document is refused (`RATE_LIMITED`, HTTP 429 with `Retry-After`), and nothing is
 * taken from it; a document larger than the whole bucket is refused as not retryable.
 *
 * When the buckets' store (Redis, shared by replicas) cannot be reached, operations are let
 * through unlimited: refusing every caller would turn a Redis outage into a gateway outage, and
 * AWS's own throttling still stands behind. Each one is counted, and a warning is logged at most
 * every 30 s, with the request that met it.
 */
import { HeaderMap } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { principalKey, type Principal } from '../auth/principal';
import type { GraphQLConfig, LimitsConfig } from '../config';
import { GatewayError, GatewayErrorCode, StoreUnavailableError } from '../errors';
import type { Logger } from '../logger';
import { priceOperation } from './cost';
import { perMinute, type TokenBucketStore } from './token-buckets';

export interface OperationRequest {
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  principal: Principal;
  /** The request's logger. */
  logger: Logger;
}

/** Least time between two warnings that rate limits are failing open. */
const FAIL_OPEN_WARNING_EVERY_MS = 30_000;

export class Admission {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly graphql: GraphQLConfig,
    private readonly limits: LimitsConfig,
    private readonly buckets: TokenBucketStore,
    private readonly onFailOpen: () => void = () => undefined,
  ) {}

  private lastFailOpenWarning = -Infinity;

  /** Resolves when the operation may run; throws the error to answer with otherwise. */
  async admit({ document, operationName, variables, principal, logger }: OperationRequest): Promise<void> {
    const priced = priceOperation(this.schema, document, operationName, variables);
    if (priced === null) return;
    if (priced.cost > this.graphql.maxCost) {
      const message = this.graphql.exposeLimits
        ? `Query cost limit of ${this.graphql.maxCost} exceeded, found ${priced.cost}. Ask for fewer items (\`first\`) or fewer fields.`
        : 'Query validation error.';
      throw new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } } });
    }
    const who = principalKey(principal);
    const limits: Limit[] = [{ key: `reads:${who}`, tokens: priced.cost, perMinute: this.limits.readCostPerMinute, what: 'read cost points' }];
    // A mutation's result is read too: a mutation document pays for its mutations and its cost.
    if (priced.mutations > 0) limits.unshift({ key: `mutations:${who}`, tokens: priced.mutations, perMinute: this.limits.mutationsPerMinute, what: 'mutations' });
    await this.charge(limits, logger);
  }

  private async charge(limits: readonly Limit[], logger: Logger): Promise<void> {
    const tooLarge = limits.find((limit) => limit.tokens > limit.perMinute);
    if (tooLarge !== undefined) {
      // No wait would ever let it through: the caller must split it, not retry it.
      throw new GatewayError(
        GatewayErrorCode.RATE_LIMITED,
        `Rate limit: this document needs ${tooLarge.tokens} ${tooLarge.what}, more than the ${tooLarge.perMinute} a minute allowed. Split it into smaller documents.`,
        { retryable: false, http: { status: 429 } },
      );
    }
    const charges = limits.map(({ key, tokens, perMinute: limit }) => ({ key, tokens, shape: perMinute(limit) }));
    let result;
    try {
      result = await this.buckets.takeAll(charges, Date.now());
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.onFailOpen();
      const now = Date.now();
      if (now - this.lastFailOpenWarning >= FAIL_OPEN_WARNING_EVERY_MS) {
        this.lastFailOpenWarning = now;
        logger.warn({ reason: error.message }, 'rate limits not applied: their store cannot be reached (failing open; counted in gateway_rate_limit_fail_open_total)');
      }
      return;
    }
    if (result.taken) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    const needs = limits.map((limit) => `${limit.tokens} ${limit.what} (your limit: ${limit.perMinute} a minute)`).join(' and ');
    throw new GatewayError(GatewayErrorCode.RATE_LIMITED, `Rate limit: this document needs ${needs}. Retry in ${retryAfterSeconds} s.`, {
      retryable: true,
      retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    });
  }
}

interface Limit {
  key: string;
  tokens: number;
  perMinute: number;
  /** What the tokens count, for the message. */
  what: string;
}
