/**
 * The gateway's only door to ElastiCache: every call goes through `send()`, which waits its turn
 * (the request's and its principal's share of AWS), applies the per-call deadline, shares identical
 * reads across requests (src/elasticache/read-sharing.ts), counts and logs
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
import type { AttemptFate } from './attempts';
import { AwsFault, documentedFaults, wireCode, type ElastiCacheOperation } from './aws-fault';
import { CallDeadline } from './call-control';
import { isReadOperation, type ReadSharing } from './read-sharing';
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
  /** Where identical reads are shared across requests; without it, every read is sent. */
  readSharing?: ReadSharing;
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

  /** Calls sent through this door so far (for one request: the AWS calls it made; a shared read is not one). */
  get calls(): number {
    return this.callsSent;
  }

  /**
   * The same door to AWS for one request: calls bounded by its `gate`, logged through its logger.
   * (Lines say `component` themselves: a child logger per request costs more than the rare line.)
   */
  forRequest(gate: UpstreamGate, requestLogger: Logger): ElastiCacheDataSource {
    return new ElastiCacheDataSource(this.client, this.options, gate, requestLogger);
  }

  /**
   * Sends `command`, or, for a read, shares the same read already in flight or kept (see
   * src/elasticache/read-sharing.ts). Every failed attempt is recorded: a call that needed retries
   * logs them, and the fault or error a call ends with carries their fates, so a caller can tell
   * whether AWS may have acted.
   */
  async send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(operation: ElastiCacheOperation, command: ElastiCacheCommand<I, O>): Promise<O> {
    const sharing = this.options.readSharing;
    if (sharing === undefined) return this.sendOwn(operation, command);
    if (!isReadOperation(operation)) return this.sendOwn(operation, command, () => sharing.written());
    const key = sharing.keyOf(operation, command.input);
    // A joined read costs AWS nothing, so it takes no turn at the gate; its own deadline still bounds its wait.
    const reused = sharing.reuse<O>(operation, key, performance.now() + this.options.callDeadlineMs, () => this.joinedPastDeadline(operation));
    if (reused !== undefined) return reused;
    const deadline = new CallDeadline(this.options.callDeadlineMs);
    const release = await this.turn(operation, deadline);
    // The same read may have been sent while this one waited its turn.
    const sentMeanwhile = sharing.reuse<O>(operation, key, deadline.endsAt, () => this.joinedPastDeadline(operation));
    if (sentMeanwhile !== undefined) {
      deadline.end();
      release();
      return sentMeanwhile;
    }
    return sharing.share(operation, key, deadline.endsAt, this.sendNow(operation, command, deadline, release));
  }

  private async sendOwn<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    operation: ElastiCacheOperation,
    command: ElastiCacheCommand<I, O>,
    /** Called as a mutation is sent and again when it ends, so that shared reads never outlive it. */
    written?: () => void,
  ): Promise<O> {
    const deadline = new CallDeadline(this.options.callDeadlineMs);
    const release = await this.turn(operation, deadline);
    return this.sendNow(operation, command, deadline, release, written);
  }

  /** Waits for the call's turn at the gate; the wait counts against the call's own deadline. */
  private async turn(operation: ElastiCacheOperation, deadline: CallDeadline): Promise<() => void> {
    try {
      return await this.gate.acquire(deadline.signal);
    } catch {
      deadline.end();
      this.logger.warn({ ...COMPONENT, operation, deadlineMs: deadline.ms }, 'AWS call waited its turn past its deadline');
      // Nothing was sent: an UpstreamError with no attempts says so.
      throw new UpstreamError(GatewayErrorCode.UPSTREAM_UNAVAILABLE, undefined);
    }
  }

  private joinedPastDeadline(operation: ElastiCacheOperation): UpstreamError {
    this.logger.warn({ ...COMPONENT, operation, deadlineMs: this.options.callDeadlineMs }, 'AWS read joined the same read in flight and waited past its deadline');
    return new UpstreamError(GatewayErrorCode.UPSTREAM_UNAVAILABLE, undefined);
  }

  private async sendNow<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    operation: ElastiCacheOperation,
    command: ElastiCacheCommand<I, O>,
    deadline: CallDeadline,
    release: () => void,
    written?: () => void,
  ): Promise<O> {
    const failed = deadline.failed;
    const attempts = failed.fates;
    const seconds = () => deadline.elapsedSeconds();
    this.callsSent++;
    written?.();
    try {
      const output = await deadline.run(command.input, () => this.client.send(command));
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
      deadline.end();
      release();
      written?.();
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
