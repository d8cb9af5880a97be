/**
 * The gateway's AWS layer as a process builds it once: the one door to ElastiCache
 * (src/elasticache/data-source.ts), the sharing of identical reads below every request, and each
 * caller's share of concurrent AWS calls. A request reaches AWS only through `forRequest`.
 *
 * src/server.ts builds it; so does the benchmark's D row (bench/baseline-server.ts), which must
 * measure exactly what the gateway runs.
 */
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { GatewayConfig } from '../config';
import { UpstreamConcurrency } from '../limits/concurrency';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../observability/metrics';
import { ElastiCacheDataSource } from './data-source';
import { ReadSharing } from './read-sharing';

export class AwsLayer {
  /** Identical reads shared across requests; its `writes` tells when a write was sent or ended. */
  readonly readSharing: ReadSharing;
  /** The door for work no request asked for (status polls): bounded by the call deadline alone. */
  readonly unrequested: ElastiCacheDataSource;
  private readonly concurrency: UpstreamConcurrency;

  constructor(client: ElastiCacheClient, config: Pick<GatewayConfig, 'upstream' | 'reads' | 'limits'>, logger: Logger, metrics: GatewayMetrics) {
    this.readSharing = new ReadSharing(config.reads.sharedCacheMs, metrics);
    this.unrequested = new ElastiCacheDataSource(client, { callDeadlineMs: config.upstream.callDeadlineMs, logger, metrics, readSharing: this.readSharing });
    this.concurrency = new UpstreamConcurrency(config.limits.upstreamConcurrencyPerRequest, config.limits.upstreamConcurrencyPerPrincipal);
  }

  /** The door one request of `caller` (a principal key) uses: within its share of AWS, logging through its logger. */
  forRequest(caller: string, requestLogger: Logger): ElastiCacheDataSource {
    return this.unrequested.forRequest(this.concurrency.gateFor(caller), requestLogger);
  }
}
