/**
 * The gateway's only door to ElastiCache: every call goes through `call()`, which applies the
 * per-call deadline, counts and logs the call, turns the faults AWS documents for the operation
 * into their GraphQL types (src/elasticache/faults.ts), and everything else into a `GatewayError`
 * whose message says nothing of AWS internals.
 */
import {
  CreateServerlessCacheSnapshotCommand,
  DescribeServerlessCachesCommand,
  DescribeServerlessCacheSnapshotsCommand,
  type ElastiCacheClient,
  type ServerlessCache,
  type ServerlessCacheSnapshot,
} from '@aws-sdk/client-elasticache';
import { GatewayError, GatewayErrorCode } from '../errors';
import { recordAttemptFates, type AttemptFate } from './attempts';
import { UNGATED, type UpstreamGate } from '../limits/concurrency';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../observability/metrics';
import {
  buildFault,
  documentedFaults,
  isFaultName,
  type ElastiCacheOperation,
  type FaultResult,
  type FaultSubject,
} from './faults';
import { classifyUpstreamError } from './upstream-errors';

export interface TagValue {
  key: string;
  value?: string | null;
}

export interface CreateSnapshotRequest {
  serverlessCacheSnapshotName: string;
  serverlessCacheName: string;
  kmsKeyId?: string | null;
  tags?: readonly TagValue[] | null;
}

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

/** What one CreateServerlessCacheSnapshot call ended with, when AWS answered it. */
export type CreateSnapshotOutcome =
  | { serverlessCacheSnapshot: ServerlessCacheSnapshot; awsRequestId: string | undefined }
  /** A documented fault, and what became of the attempts before the one it answered. */
  | { fault: FaultResult; attempts: readonly AttemptFate[] };

export interface SnapshotFilter {
  serverlessCacheName?: string | null;
  snapshotType?: string | null;
}

export interface PageRequest {
  nextToken: string | undefined;
  maxResults: number;
}

export interface Page<T> {
  items: T[];
  nextToken: string | undefined;
}

type CallResult<T> = { output: T } | { fault: FaultResult };
/** A lookup's result: what AWS answered, or that nothing by that name exists. */
type LookupResult<T> = CallResult<T> | { absent: true };

export interface DataSourceOptions {
  /** Time allowed for one call including its retries. */
  callDeadlineMs: number;
  logger: Logger;
  metrics: GatewayMetrics;
}

const COMPONENT = { component: 'elasticache' } as const;

export class ElastiCacheDataSource {
  private readonly logger: Logger;

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
  forRequest(gate: UpstreamGate, requestLogger: Logger): ElastiCacheDataSource {
    return new ElastiCacheDataSource(this.client, this.options, gate, requestLogger);
  }

  /**
   * The new snapshot and AWS's request id (for the audit line), or the documented fault AWS
   * answered with the fates of the attempts before it. Throws `UpstreamError` with every attempt's
   * fate: whether AWS may have created the snapshot is for the caller to find out.
   */
  async createServerlessCacheSnapshot(request: CreateSnapshotRequest): Promise<CreateSnapshotOutcome> {
    const tags = request.tags ?? [];
    const command = new CreateServerlessCacheSnapshotCommand({
      ServerlessCacheSnapshotName: request.serverlessCacheSnapshotName,
      ServerlessCacheName: request.serverlessCacheName,
      KmsKeyId: request.kmsKeyId ?? undefined,
      Tags: tags.length > 0 ? tags.map((t) => ({ Key: t.key, Value: t.value ?? undefined })) : undefined,
    });
    const attempts: AttemptFate[] = [];
    recordAttemptFates(command, attempts);
    const result = await this.call(
      'CreateServerlessCacheSnapshot',
      (signal) => this.client.send(command, { abortSignal: signal }),
      { serverlessCacheName: request.serverlessCacheName, serverlessCacheSnapshotName: request.serverlessCacheSnapshotName },
      [],
      attempts,
    );
    // The last recorded fate is the fault's own attempt.
    if ('fault' in result) return { fault: result.fault, attempts: attempts.slice(0, -1) };
    return {
      serverlessCacheSnapshot: this.required(result.output.ServerlessCacheSnapshot, 'CreateServerlessCacheSnapshot'),
      awsRequestId: result.output.$metadata.requestId,
    };
  }

  /** One snapshot by name, or null when AWS has none by that name. */
  async describeServerlessCacheSnapshot(name: string): Promise<ServerlessCacheSnapshot | null> {
    const command = new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: name });
    const result = await this.call(
      'DescribeServerlessCacheSnapshots',
      (signal) => this.client.send(command, { abortSignal: signal }),
      { serverlessCacheSnapshotName: name },
      // For a lookup, "no such snapshot" is an answer, and so is a name AWS finds invalid: no
      // snapshot can have it.
      ['ServerlessCacheSnapshotNotFoundFault', 'InvalidParameterValueException'],
    );
    if ('absent' in result) return null;
    if ('fault' in result) throw this.unexpectedFault(result.fault);
    return result.output.ServerlessCacheSnapshots?.[0] ?? null;
  }

  /** A page of snapshots, or the documented fault AWS answered (unknown cache, bad value). */
  async describeServerlessCacheSnapshots(filter: SnapshotFilter, page: PageRequest): Promise<Page<ServerlessCacheSnapshot> | FaultResult> {
    const command = new DescribeServerlessCacheSnapshotsCommand({
      ServerlessCacheName: filter.serverlessCacheName ?? undefined,
      SnapshotType: filter.snapshotType ?? undefined,
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
    });
    const result = await this.call('DescribeServerlessCacheSnapshots', (signal) => this.client.send(command, { abortSignal: signal }), {
      serverlessCacheName: filter.serverlessCacheName ?? undefined,
    });
    if ('fault' in result) return result.fault;
    return { items: result.output.ServerlessCacheSnapshots ?? [], nextToken: result.output.NextToken || undefined };
  }

  /** One serverless cache by name, or null when there is none. */
  async describeServerlessCache(name: string): Promise<ServerlessCache | null> {
    const command = new DescribeServerlessCachesCommand({ ServerlessCacheName: name });
    const result = await this.call(
      'DescribeServerlessCaches',
      (signal) => this.client.send(command, { abortSignal: signal }),
      { serverlessCacheName: name },
      ['ServerlessCacheNotFoundFault', 'InvalidParameterValueException'],
    );
    if ('absent' in result) return null;
    if ('fault' in result) throw this.unexpectedFault(result.fault);
    return result.output.ServerlessCaches?.[0] ?? null;
  }

  /** A page of the account's serverless caches, or the documented fault AWS answered (a bad token). */
  async describeServerlessCaches(page: PageRequest): Promise<Page<ServerlessCache> | FaultResult> {
    const command = new DescribeServerlessCachesCommand({ NextToken: page.nextToken, MaxResults: page.maxResults });
    const result = await this.call('DescribeServerlessCaches', (signal) => this.client.send(command, { abortSignal: signal }), {});
    if ('fault' in result) return result.fault;
    return { items: result.output.ServerlessCaches ?? [], nextToken: result.output.NextToken || undefined };
  }

  private call<T>(operation: ElastiCacheOperation, send: (signal: AbortSignal) => Promise<T>, subject: FaultSubject): Promise<CallResult<T>>;
  private call<T>(
    operation: ElastiCacheOperation,
    send: (signal: AbortSignal) => Promise<T>,
    subject: FaultSubject,
    /** Faults that mean "nothing there" for this call, rather than a failure. */
    absentOn: readonly never[],
    /** Where the command records its attempts' fates (recordAttemptFates), to carry on a failure. */
    attempts: readonly AttemptFate[],
  ): Promise<CallResult<T>>;
  private call<T>(
    operation: ElastiCacheOperation,
    send: (signal: AbortSignal) => Promise<T>,
    subject: FaultSubject,
    absentOn: readonly string[],
  ): Promise<LookupResult<T>>;
  private async call<T>(
    operation: ElastiCacheOperation,
    send: (signal: AbortSignal) => Promise<T>,
    subject: FaultSubject,
    absentOn: readonly string[] = [],
    attempts: readonly AttemptFate[] = [],
  ): Promise<LookupResult<T>> {
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
    try {
      const output = await send(deadline.signal);
      this.options.metrics.recordUpstreamCall(operation, 'success', seconds());
      return { output };
    } catch (caught) {
      const error = caught as SdkErrorLike;
      const details = {
        operation,
        awsError: error.name,
        awsRequestId: error.$metadata?.requestId,
        httpStatus: error.$metadata?.httpStatusCode,
        attempts: error.$metadata?.attempts,
      };
      if (absentOn.includes(error.name)) {
        this.options.metrics.recordUpstreamCall(operation, 'success', seconds());
        return { absent: true };
      }
      if (documentedFaults(operation).includes(error.name) && isFaultName(error.name)) {
        this.options.metrics.recordUpstreamCall(operation, 'fault', seconds());
        // AWS's own message, in full, is for the log only: clients get it redacted (src/elasticache/redact.ts).
        this.logger.info({ ...COMPONENT, ...details, awsMessage: error.message }, 'AWS answered with a documented fault');
        const fault = buildFault(error.name, subject, {
          awsRequestId: error.$metadata?.requestId ?? null,
          awsMessage: error.message,
        });
        return { fault };
      }
      this.options.metrics.recordUpstreamCall(operation, 'error', seconds());
      const code = classifyUpstreamError(caught);
      this.logger.warn({ ...COMPONENT, ...details, code, err: caught, ...(attempts.length > 0 ? { attemptFates: attempts } : {}) }, 'ElastiCache call failed');
      throw new UpstreamError(code, details.awsRequestId, [...attempts], retryAfterSeconds(caught));
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private required<T>(value: T | undefined, operation: ElastiCacheOperation): T {
    if (value === undefined) {
      this.logger.error({ ...COMPONENT, operation }, 'AWS answered without the expected result');
      throw new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR);
    }
    return value;
  }

  /** A documented fault that the gateway's own request should never have caused. */
  private unexpectedFault(fault: FaultResult): GatewayError {
    this.logger.error({ ...COMPONENT, fault: fault.__typename, awsRequestId: fault.awsRequestId }, 'unexpected fault from AWS');
    return new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR);
  }
}
