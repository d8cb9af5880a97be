/**
 * GET /ready, for a load balancer or a Kubernetes readiness probe: may this process be sent
 * traffic? Not while it stops, and not when ElastiCache cannot be reached with its credentials,
 * since every request would fail. (/health only says that the process serves.)
 *
 * The ElastiCache check is one DescribeServerlessCaches asking for one item, made only when a probe
 * asks and the last check is older than `READY_CHECK_INTERVAL_MS`; probes arriving meanwhile share
 * the check in flight. There is no timer: a gateway nobody probes makes no calls, and however many
 * probes come, the account's control-plane budget pays for at most one call per interval.
 */
import type { ElastiCacheDataSource } from './elasticache/data-source';
import { AwsFault } from './elasticache/aws-fault';
import { describeServerlessCaches } from './operations/describe-serverless-caches';
import { GatewayError, GatewayErrorCode } from './errors';

/** What one look at ElastiCache found: it answered, or the gateway error code of why not. */
export type ProbeResult = { reached: true } | { reached: false; code: GatewayErrorCode };

/** The answer's body, as sent: which check failed, in the gateway's own codes, never AWS's words. */
export type ReadinessState =
  | { status: 'ready' }
  | { status: 'unavailable'; check: 'draining' }
  | { status: 'unavailable'; check: 'elasticache'; code: GatewayErrorCode }
  | { status: 'unavailable'; check: DependencyName; code: GatewayErrorCode.DEPENDENCY_UNAVAILABLE };

/** The gateway's own dependencies beyond AWS, checked at every probe (they cost AWS nothing). */
export type DependencyName = 'redis';

export interface DependencyCheck {
  name: DependencyName;
  /** Resolves when the dependency answers in time; rejects otherwise. */
  check: () => Promise<void>;
}

export interface ReadinessOptions {
  /** How old the last check may be before a probe makes another one. */
  intervalMs: number;
  now?: () => number;
}

const DRAINING: ReadinessState = { status: 'unavailable', check: 'draining' };

export class Readiness {
  private draining = false;
  private last: { result: ProbeResult; at: number } | undefined;
  private running: Promise<ProbeResult> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly probe: () => Promise<ProbeResult>,
    private readonly options: ReadinessOptions,
    /** With replicas: the Redis they share, without which keyed mutations are refused. */
    private readonly dependencies: readonly DependencyCheck[] = [],
  ) {
    this.now = options.now ?? Date.now;
  }

  /** From now on the answer is 503: the process is stopping, whatever ElastiCache says. */
  startDraining(): void {
    this.draining = true;
  }

  async state(): Promise<ReadinessState> {
    if (this.draining) return DRAINING;
    const [result, failedDependency] = await Promise.all([this.recent(), this.failedDependency()]);
    // The stop may have begun while the check ran.
    if (this.draining) return DRAINING;
    if (!result.reached) return { status: 'unavailable', check: 'elasticache', code: result.code };
    if (failedDependency !== undefined) return { status: 'unavailable', check: failedDependency, code: GatewayErrorCode.DEPENDENCY_UNAVAILABLE };
    return { status: 'ready' };
  }

  private async failedDependency(): Promise<DependencyName | undefined> {
    const results = await Promise.all(this.dependencies.map((dependency) => dependency.check().then(() => undefined, () => dependency.name)));
    return results.find((name) => name !== undefined);
  }

  private recent(): Promise<ProbeResult> {
    const started = this.now();
    if (this.last !== undefined && started - this.last.at < this.options.intervalMs) return Promise.resolve(this.last.result);
    this.running ??= this.probe()
      .catch((): ProbeResult => ({ reached: false, code: GatewayErrorCode.INTERNAL_SERVER_ERROR }))
      .then((result) => {
        // Throttling says nothing about this process: AWS throttles the whole account, so every
        // replica would be taken out of rotation together and the callers would get 503s from the
        // load balancer instead of UPSTREAM_THROTTLED. The previous verdict stands; with none yet,
        // the process is not ready (it has not shown it can reach AWS).
        const verdict = isThrottled(result) && this.last !== undefined ? this.last.result : result;
        this.last = { result: verdict, at: started };
        return verdict;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}

const isThrottled = (result: ProbeResult): boolean => !result.reached && result.code === GatewayErrorCode.UPSTREAM_THROTTLED;

/**
 * The check: one DescribeServerlessCaches through the gateway's door to AWS. A page, or a fault AWS
 * documents for the operation (an InvalidParameterValue, say), both mean AWS read the request and
 * accepted its signature; UPSTREAM_ACCESS_DENIED, UPSTREAM_UNAVAILABLE and anything unexpected do
 * not.
 */
export function elastiCacheProbe(dataSource: ElastiCacheDataSource): () => Promise<ProbeResult> {
  return async () => {
    try {
      await describeServerlessCaches(dataSource, { nextToken: undefined, maxResults: 1 });
      return { reached: true };
    } catch (error) {
      if (error instanceof AwsFault) return { reached: true };
      return { reached: false, code: error instanceof GatewayError ? error.code : GatewayErrorCode.INTERNAL_SERVER_ERROR };
    }
  };
}
