/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * several gateways in one process (tests, benchmarks) keep separate counts.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type UpstreamOutcome = 'success' | 'fault' | 'error';

export class GatewayMetrics {
  readonly registry = new Registry();

  private readonly upstreamCalls = new Counter({
    name: 'elasticache_upstream_calls_total',
    help: 'ElastiCache API calls made by the gateway, by operation and outcome (fault = a fault AWS documents).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly upstreamDuration = new Histogram({
    name: 'elasticache_upstream_call_duration_seconds',
    help: 'Duration of ElastiCache API calls, retries included.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(options: { processMetrics: boolean } = { processMetrics: false }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  recordUpstreamCall(operation: string, outcome: UpstreamOutcome, seconds: number): void {
    this.upstreamCalls.inc({ operation, outcome });
    this.upstreamDuration.observe({ operation }, seconds);
  }

  /** Upstream calls so far, per operation, all outcomes together. */
  async upstreamCallCounts(): Promise<Record<string, number>> {
    const { values } = await this.upstreamCalls.get();
    const counts: Record<string, number> = {};
    for (const { labels, value } of values) {
      const operation = String(labels.operation);
      counts[operation] = (counts[operation] ?? 0) + value;
    }
    return counts;
  }
}
