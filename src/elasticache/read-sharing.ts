/**
 * Identical AWS reads shared across requests. A read (a Describe* or List* operation) whose exact
 * input is already on its way to AWS joins that call instead of making another, and gets its
 * outcome, a failure as much as a success; with `UPSTREAM_READ_CACHE_MS` above 0, a successful
 * outcome is also kept that long for reads that come later.
 *
 * Writes: a mutation moves the generation on when it is sent and again when it ends, dropping
 * every kept outcome and detaching every call in flight (which keeps nothing when it ends). A read
 * only joins or takes what its own generation fetched, so no read that starts after a write sees
 * data fetched before the write ended. Only this process's writes are seen this way: a change made
 * elsewhere shows once the kept outcome expires.
 *
 * What is shared is AWS's answer, before any caller's authorization: each caller's own
 * authorization is applied to it afterwards, above this layer. Answers are deep-frozen and errors
 * copied per caller, so no caller can change what another receives.
 */
import type { GatewayMetrics } from '../observability/metrics';
import type { ElastiCacheOperation } from './aws-fault';

/** Kept outcomes at most: the oldest go first beyond this. */
export const READ_CACHE_MAX_ENTRIES = 1_000;

/** Describe* and List* operations only read; everything else changes something and never joins. */
export function isReadOperation(operation: ElastiCacheOperation): boolean {
  return operation.startsWith('Describe') || operation.startsWith('List');
}

/** The same text for the same parameters, whatever the order their object was built in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** A copy of the error, for one caller: same class, message and fields. */
function copyError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  return Object.defineProperties(Object.create(Object.getPrototypeOf(error) as object) as object, Object.getOwnPropertyDescriptors(error));
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A read on its way to AWS that others may join. */
interface SharedRead {
  readonly outcome: Promise<Outcome>;
  /** The latest moment (performance.now() time) it ends, by its own caller's deadline. */
  readonly endsBy: number;
}

interface Kept {
  value: unknown;
  /** performance.now() time after which it is not served. */
  until: number;
}

export class ReadSharing {
  private generation = 0;
  private readonly inFlight = new Map<string, SharedRead>();
  private readonly kept = new Map<string, Kept>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    /** How long a successful read is kept; 0: not at all, only reads in flight are shared. */
    private readonly cacheMs: number,
    private readonly metrics: GatewayMetrics,
    private readonly maxEntries = READ_CACHE_MAX_ENTRIES,
  ) {}

  keyOf(operation: ElastiCacheOperation, input: object): string {
    return `${operation} ${canonical(input)}`;
  }

  /**
   * The outcome a read with this key can have without calling AWS: a kept answer, or the outcome of
   * the same read in flight (waited for at most until `deadline`, a performance.now() time);
   * undefined when the read must be sent.
   */
  reuse<T>(operation: ElastiCacheOperation, key: string, deadline: number, onDeadline: () => Error): Promise<T> | undefined {
    if (this.cacheMs > 0) {
      const kept = this.kept.get(key);
      if (kept !== undefined) {
        if (kept.until > performance.now()) {
          this.metrics.recordReadSharing(operation, 'cached');
          return Promise.resolve(kept.value as T);
        }
        this.kept.delete(key);
      }
    }
    const running = this.inFlight.get(key);
    if (running === undefined) return undefined;
    this.metrics.recordReadSharing(operation, 'joined');
    const answer = running.outcome.then((outcome) => {
      if (outcome.ok) return outcome.value as T;
      throw copyError(outcome.error);
    });
    // The joined read ends by its caller's deadline; only a joiner whose own deadline comes sooner
    // needs a timer of its own.
    if (running.endsBy <= deadline) return answer;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(onDeadline()), Math.max(0, deadline - performance.now()));
    });
    return Promise.race([answer, expired]).finally(() => clearTimeout(timer));
  }

  /**
   * Shares `read` (about to be sent) under `key` while it is in flight, and keeps its answer if it
   * succeeds within the same generation. Resolves to the (frozen) answer, or rejects as `read` does.
   */
  share<T>(operation: ElastiCacheOperation, key: string, endsBy: number, read: Promise<T>): Promise<T> {
    this.metrics.recordReadSharing(operation, 'sent');
    const generation = this.generation;
    const outcome: Promise<Outcome> = read.then(
      (value) => {
        const frozen = deepFreeze(value);
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
        if (this.cacheMs > 0 && generation === this.generation) this.keep(key, frozen);
        return { ok: true, value: frozen };
      },
      (error: unknown) => {
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
        return { ok: false, error };
      },
    );
    const entry: SharedRead = { outcome, endsBy };
    this.inFlight.set(key, entry);
    return outcome.then((settled) => {
      if (settled.ok) return settled.value as T;
      throw settled.error;
    });
  }

  /** A mutation is about to be sent, or has ended: nothing read before may be served after. */
  written(): void {
    this.generation++;
    // Clearing an empty Map still replaces its table: every mutation would pay for it.
    if (this.inFlight.size > 0) this.inFlight.clear();
    if (this.kept.size > 0) this.kept.clear();
  }

  /**
   * Moves on whenever a mutation is sent or ends: work started at one value and still running at
   * another may hold data fetched before a write (src/trusted-documents/shared-executions.ts).
   */
  get writes(): number {
    return this.generation;
  }

  private keep(key: string, value: unknown): void {
    const now = performance.now();
    this.dropExpired(now);
    this.kept.delete(key);
    // Every entry lives as long: insertion order is expiry order, and the first is the oldest.
    while (this.kept.size >= this.maxEntries) {
      const oldest = this.kept.keys().next().value;
      if (oldest === undefined) break;
      this.kept.delete(oldest);
    }
    this.kept.set(key, { value, until: now + this.cacheMs });
    this.scheduleSweep(now);
  }

  private dropExpired(now: number): void {
    for (const [key, kept] of this.kept) {
      if (kept.until > now) break;
      this.kept.delete(key);
    }
  }

  /** Answers are released when they expire, not only when something else is kept. */
  private scheduleSweep(now: number): void {
    if (this.sweep !== undefined) return;
    const first = this.kept.values().next().value;
    if (first === undefined) return;
    this.sweep = setTimeout(
      () => {
        this.sweep = undefined;
        this.dropExpired(performance.now());
        this.scheduleSweep(performance.now());
      },
      Math.max(1, Math.ceil(first.until - now)),
    );
    this.sweep.unref();
  }
}
