/**
 * The gateway's only door to ElastiCache: every call goes through `send()`, which waits its turn
 * (the request's and its principal's share of AWS), applies the per-call deadline, counts and logs
 * the call, and ends in one of three ways: the SDK's output, an `AwsFault` for a fault AWS
 * documents for the operation, or an `UpstreamError` with a stable code for anything else. It knows
 * nothing of GraphQL: what each operation's input and output mean lives in src/operations/.
 */
import type { ElastiCacheClient, ElastiCacheClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-elasticache';
import { GatewayError, GatewayErrorCode } from '../errors';
import { UNGATED, type UpstreamGate } from '../limits/concurrency';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../observability/metrics';
import type { Command } from '@smithy/types';
import { recordFailedAttempts, type AttemptFate, type FailedAttempts } from './attempts';
import { AwsFault, documentedFaults, wireCode, type ElastiCacheOperation } from './aws-fault';
import { classifyUpstreamError } from './upstream-errors';

/** What the gateway reads from an SDK error; the SDK's own types vary by error class. */
interface SdkErrorLike {
  name: string;
  message?: string;
  $fault?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number; attempts?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** AWS's `Retry-After` (seconds; an HTTP date is not worth parsing for a hint), when it sent one. */
export function retryAfterSeconds(error: unknown): number | undefined {
  const headers = (error as SdkErrorLike | undefined)?.$response?.headers ?? {};
  const name = Object.keys(headers).find((header) => header.toLowerCase() === 'retry-after');
  const value = name === undefined ? undefined : headers[name];
  if (value === undefined || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** An AWS call that failed for reasons the caller cannot fix; carries AWS's request id for the audit trail. */
export class UpstreamError extends GatewayError {
  constructor(
    code: GatewayErrorCode,
    /** AWS's request id, when AWS answered at all; never sent to clients. */
    readonly awsRequestId: string | undefined,
    /** What became of each failed attempt, where the call tracked them (creates do); empty otherwise. */
    readonly attempts: readonly AttemptFate[] = [],
    /** Seconds AWS asked to wait (its `Retry-After` header), when it said. */
    retryAfterSeconds?: number,
  ) {
    super(code, undefined, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
  }
}

export interface PageRequest {
  nextToken: string | undefined;
  maxResults: number;
}

export interface Page<T> {
  items: T[];
  nextToken: string | undefined;
}

export interface DataSourceOptions {
  /** Time allowed for one call including its retries. */
  callDeadlineMs: number;
  logger: Logger;
  metrics: GatewayMetrics;
}

/** An ElastiCache command (`new DescribeServerlessCachesCommand(…)`) whose output is `O`. */
export type ElastiCacheCommand<I extends ServiceInputTypes, O extends ServiceOutputTypes> = Command<
  ServiceInputTypes,
  I,
  ServiceOutputTypes,
  O,
  ElastiCacheClientResolvedConfig
>;

const COMPONENT = { component: 'elasticache' } as const;

export class ElastiCacheDataSource {
  private readonly logger: Logger;
  private callsSent = 0;

  constructor(
    private readonly client: ElastiCacheClient,
    private readonly options: DataSourceOptions,
    /** What each call waits on before it is sent: the request's and its principal's share of AWS. */
    private readonly gate: UpstreamGate = UNGATED,
    logger?: Logger,
  ) {
    this.logger = logger ?? options.logger;
  }

  /**
   * The same door to AWS for one request: calls bounded by its `gate`, logged through its logger.
   * (Lines say `component` themselves: a child logger per request costs more than the rare line.)
   */
  /** Calls sent through this door so far (for one request: the AWS calls it made). */
  get calls(): number {
    return this.callsSent;
  }

  forRequest(gate: UpstreamGate, requestLogger: Logger): ElastiCacheDataSource {
    return new ElastiCacheDataSource(this.client, this.options, gate, requestLogger);
  }

  /**
   * Sends `command`. Every failed attempt is recorded: a call that needed retries logs them, and
   * the fault or error a call ends with carries their fates, so a caller can tell whether AWS may
   * have acted.
   */
  async send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(operation: ElastiCacheOperation, command: ElastiCacheCommand<I, O>): Promise<O> {
    const failed: FailedAttempts = { fates: [], errors: [] };
    recordFailedAttempts(command, failed);
    const attempts = failed.fates;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    // The deadline ends with the call. AbortSignal.timeout's timer and signal would outlive every
    // call by the whole deadline: 25 s of old-generation garbage at 1,000 calls a second.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), this.options.callDeadlineMs);
    let release: () => void;
    try {
      // Waiting for a turn counts against the call's own deadline.
      release = await this.gate.acquire(deadline.signal);
    } catch {
      clearTimeout(timer);
      this.logger.warn({ ...COMPONENT, operation, deadlineMs: this.options.callDeadlineMs }, 'AWS call waited its turn past its deadline');
      // Nothing was sent: an UpstreamError with no attempts says so.
      throw new UpstreamError(GatewayErrorCode.UPSTREAM_UNAVAILABLE, undefined);
    }
    this.callsSent++;
    try {
      const output = await this.client.send(command, { abortSignal: deadline.signal });
      this.options.metrics.recordUpstreamCall(operation, 'success', seconds(), failed.fates.length + 1);
      if (failed.fates.length > 0) {
        this.logger.info({ ...COMPONENT, operation, attempts: failed.fates.length + 1, retried: failed.errors }, 'AWS call succeeded after retries');
      }
      return output;
    } catch (caught) {
      const error = caught as SdkErrorLike;
      const details = {
        operation,
        awsError: error.name,
        awsRequestId: error.$metadata?.requestId,
        httpStatus: error.$metadata?.httpStatusCode,
        attempts: error.$metadata?.attempts,
      };
      if (documentedFaults(operation).includes(error.name)) {
        this.options.metrics.recordUpstreamCall(operation, 'fault', seconds(), failed.fates.length);
        // AWS's own message, in full, is for the log only: clients get it redacted (src/elasticache/redact.ts).
        this.logger.info({ ...COMPONENT, ...details, awsMessage: error.message }, 'AWS answered with a documented fault');
        // The last recorded fate is the fault's own attempt.
        throw new AwsFault(error.name, wireCode(error.name), error.$metadata?.requestId, error.message ?? '', attempts.slice(0, -1));
      }
      this.options.metrics.recordUpstreamCall(operation, 'error', seconds(), Math.max(1, failed.fates.length));
      const code = classifyUpstreamError(caught);
      this.logger.warn({ ...COMPONENT, ...details, code, err: caught, attemptFates: attempts, retried: failed.errors }, 'ElastiCache call failed');
      throw new UpstreamError(code, details.awsRequestId, [...attempts], retryAfterSeconds(caught));
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  /** An output without the member every success carries: AWS broke its contract, say nothing more. */
  required<T>(value: T | undefined, operation: ElastiCacheOperation): T {
    if (value === undefined) {
      this.logger.error({ ...COMPONENT, operation }, 'AWS answered without the expected result');
      throw new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR);
    }
    return value;
  }

  /** A documented fault that the gateway's own request should never have caused. */
  unexpected(fault: AwsFault): GatewayError {
    this.logger.error({ ...COMPONENT, fault: fault.name, awsRequestId: fault.requestId }, 'unexpected fault from AWS');
    return new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR);
  }
}
