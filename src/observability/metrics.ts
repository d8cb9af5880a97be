/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * several gateways in one process (tests, benchmarks) keep separate counts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type UpstreamOutcome = 'success' | 'fault' | 'error';
/** How a read was answered: sent to AWS, joined to the same read in flight, or kept from an earlier one. */
export type ReadSharingOutcome = 'sent' | 'joined' | 'cached';

const MAX_OPERATION_NAMES = 100;
const MAX_OPERATION_NAME_LENGTH = 100;

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

  private readonly readSharing = new Counter({
    name: 'elasticache_read_sharing_total',
    help: 'ElastiCache reads by how they were answered: sent to AWS, joined to the same read in flight, or cached (UPSTREAM_READ_CACHE_MS).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations answered, by operation name (the first 100 names seen; others are `other`), type and outcome (success: no error in the answer).',
    labelNames: ['operation_name', 'operation_type', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Time to answer a GraphQL operation (a subscription: its whole life), by operation name and type.',
    labelNames: ['operation_name', 'operation_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly results = new Counter({
    name: 'graphql_results_total',
    help: "Mutation results, by mutation field and the result union member's __typename (success or the fault).",
    labelNames: ['field', 'typename'] as const,
    registers: [this.registry],
  });

  private readonly errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors in GraphQL answers, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly activeSubscriptions = new Gauge({
    name: 'graphql_active_subscriptions',
    help: 'Subscriptions running now, over all WebSockets.',
    registers: [this.registry],
  });

  private readonly polls = new Counter({
    name: 'snapshot_status_polls_total',
    help: 'Polls of watched snapshots (one per snapshot and interval, whatever the number of watchers).',
    registers: [this.registry],
  });

  private readonly refusals = new Counter({
    name: 'gateway_authentication_refusals_total',
    help: 'Requests and WebSockets refused by authentication, by failure (missing, invalid, expired, unavailable…) and transport.',
    labelNames: ['failure', 'transport'] as const,
    registers: [this.registry],
  });

  private readonly replays = new Counter({
    name: 'graphql_idempotent_replays_total',
    help: "Mutations answered from an idempotency key's record instead of calling AWS again, by mutation.",
    labelNames: ['mutation'] as const,
    registers: [this.registry],
  });

  private readonly httpPaths = new Counter({
    name: 'graphql_http_requests_by_path_total',
    help: "GraphQL HTTP requests by what answered them: lean (a registered document, run without Apollo Server's per-request machinery), apollo, or refused (not registered under TRUSTED_DOCUMENTS_ONLY, or an unusable documentId).",
    labelNames: ['path'] as const,
    registers: [this.registry],
  });

  private readonly querySharing = new Counter({
    name: 'graphql_query_sharing_total',
    help: 'Registered queries on the lean path by outcome: executed, or joined (an identical query from the same caller with the same grants was already running, and its answer was shared).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly storeFailures = new Counter({
    name: 'gateway_shared_store_failures_total',
    help: 'Commands to the store replicas share (Redis) that failed or timed out, by store (rate-limit, idempotency, snapshot-status).',
    labelNames: ['store'] as const,
    registers: [this.registry],
  });

  private readonly rateLimitFailOpen = new Counter({
    name: 'gateway_rate_limit_fail_open_total',
    help: 'Operations let through without a rate-limit check because the shared store could not be reached.',
    registers: [this.registry],
  });

  /** Operation names are the client's choice: the first ones seen keep their label, the rest share one. */
  private readonly operationNames = new Set<string>();

  private readonly upstreamAttempts = new Histogram({
    name: 'elasticache_upstream_call_attempts',
    help: 'Attempts per ElastiCache API call (1: no retry), by operation.',
    labelNames: ['operation'] as const,
    buckets: [1, 2, 3, 5, 10],
    registers: [this.registry],
  });

  constructor(options: { processMetrics: boolean } = { processMetrics: false }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  recordUpstreamCall(operation: string, outcome: UpstreamOutcome, seconds: number, attempts = 1): void {
    this.upstreamCalls.inc({ operation, outcome });
    this.upstreamDuration.observe({ operation }, seconds);
    this.upstreamAttempts.observe({ operation }, attempts);
  }

  recordReadSharing(operation: string, outcome: ReadSharingOutcome): void {
    this.readSharing.inc({ operation, outcome });
  }

  recordOperation(operation: {
    name: string | undefined;
    type: string | undefined;
    outcome: 'success' | 'error';
    seconds: number;
    results: readonly { field: string; typename: string }[];
    errorCodes: readonly string[];
  }): void {
    const labels = { operation_name: this.operationNameLabel(operation.name), operation_type: operation.type ?? 'unknown' };
    this.operations.inc({ ...labels, outcome: operation.outcome });
    this.operationDuration.observe(labels, operation.seconds);
    for (const { field, typename } of operation.results) this.results.inc({ field, typename });
    for (const code of operation.errorCodes) this.errors.inc({ code });
  }

  subscriptionStarted(): void {
    this.activeSubscriptions.inc();
  }

  subscriptionEnded(): void {
    this.activeSubscriptions.dec();
  }

  recordPoll(): void {
    this.polls.inc();
  }

  recordStoreFailure(store: 'rate-limit' | 'idempotency' | 'snapshot-status'): void {
    this.storeFailures.inc({ store });
  }

  recordRateLimitFailOpen(): void {
    this.rateLimitFailOpen.inc();
  }

  /** Reports `count()` as `snapshot_status_polls_held` whenever metrics are read. */
  pollsHeld(count: () => number): void {
    new Gauge({
      name: 'snapshot_status_polls_held',
      help: 'Watched snapshots this process polls AWS for now; with replicas, those whose poll it holds (or polls alone while Redis is unreachable).',
      registers: [this.registry],
      collect() {
        this.set(count());
      },
    });
  }

  recordAuthenticationRefusal(failure: string, transport: 'http' | 'websocket'): void {
    this.refusals.inc({ failure, transport });
  }

  recordQuerySharing(outcome: 'executed' | 'joined'): void {
    this.querySharing.inc({ outcome });
  }

  recordHttpPath(path: 'lean' | 'apollo' | 'refused'): void {
    this.httpPaths.inc({ path });
  }

  recordReplay(mutation: string): void {
    this.replays.inc({ mutation });
  }

  /** Reports `count()` as `snapshot_status_watched` whenever metrics are read. */
  watchedSnapshots(count: () => number): void {
    new Gauge({
      name: 'snapshot_status_watched',
      help: 'Snapshots whose status is being polled for subscribers now.',
      registers: [this.registry],
      collect() {
        this.set(count());
      },
    });
  }

  private operationNameLabel(name: string | undefined): string {
    if (name === undefined) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES || name.length > MAX_OPERATION_NAME_LENGTH) return 'other';
    this.operationNames.add(name);
    return name;
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
