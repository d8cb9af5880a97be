/**
 * Idempotency records: what the gateway remembers of a caller's idempotency key, so the same
 * action sent twice is done once. One record per (principal, key): the input it was first used
 * with (a fingerprint), and either the answer, a call in flight, or an earlier call that ended
 * without a definite answer.
 *
 * The store is an interface so replicas can share one (every method is one atomic step of the
 * protocol); `MemoryIdempotencyRecords` is the one-process store.
 */

/** What a caller gets when it claims a key. */
export type Claim<Answer> =
  /**
   * The key is the caller's to run. `unsettledSince` is when an earlier call with this key began
   * that ended without a definite answer (its AWS request may have done the work); absent for a
   * first use.
   */
  | { status: 'claimed'; lease: string; unsettledSince?: number }
  /** The key was used for the same input and answered: that answer, again. */
  | { status: 'answered'; answer: Answer }
  /** A call with this key and input is running: wait for it, then claim again. */
  | { status: 'in-flight'; settled: Promise<void> }
  /** The key was used with a different input. */
  | { status: 'mismatch' };

export interface IdempotencyRecords<Answer> {
  /**
   * Claims `key` for a call with input `fingerprint` that begins at `now` (epoch ms), for at most
   * `leaseMs` (after which a claim whose holder has not settled counts as unsettled).
   */
  claim(key: string, fingerprint: string, now: number, leaseMs: number): Promise<Claim<Answer>>;
  /**
   * Keeps the call's answer for the rest of the record's life and lets waiting duplicates read it.
   * `lease` is the claim's: a call that outlived its lease (another call holds the key now) changes
   * nothing.
   */
  settle(key: string, lease: string, answer: Answer): Promise<void>;
  /** Ends the claim without an answer: the next claim reconciles from the record's first call. */
  release(key: string, lease: string): Promise<void>;
}

/** How long a key is remembered from its first use (the issue of a retried action is over by then). */
export const IDEMPOTENCY_RECORD_TTL_MS = 24 * 60 * 60 * 1000;

interface MemoryRecord<Answer> {
  fingerprint: string;
  /** When the first call with this key began: the earliest moment AWS could have done its work. */
  firstCallAt: number;
  expiresAt: number;
  answer?: { value: Answer };
  inFlight?: { lease: string; leaseUntil: number; settled: Promise<void>; done: () => void };
}

export interface MemoryIdempotencyRecordsOptions {
  /** Records kept at most; the oldest are forgotten first when more keys arrive. */
  maxRecords: number;
  ttlMs?: number;
  clock?: () => number;
}

export class MemoryIdempotencyRecords<Answer> implements IdempotencyRecords<Answer> {
  // Insertion order is creation order: the first entries are the oldest.
  private readonly records = new Map<string, MemoryRecord<Answer>>();
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private leases = 0;

  constructor(private readonly options: MemoryIdempotencyRecordsOptions) {
    if (!Number.isInteger(options.maxRecords) || options.maxRecords < 1) {
      throw new RangeError(`maxRecords must be a positive integer, got ${options.maxRecords}`);
    }
    this.ttlMs = options.ttlMs ?? IDEMPOTENCY_RECORD_TTL_MS;
    this.clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.records.size;
  }

  claim(key: string, fingerprint: string, now: number, leaseMs: number): Promise<Claim<Answer>> {
    const record = this.live(key);
    if (record === undefined) {
      this.makeRoom();
      const inFlight = this.lease(now, leaseMs);
      this.records.set(key, { fingerprint, firstCallAt: now, expiresAt: this.clock() + this.ttlMs, inFlight });
      return Promise.resolve({ status: 'claimed', lease: inFlight.lease });
    }
    if (record.fingerprint !== fingerprint) return Promise.resolve({ status: 'mismatch' });
    if (record.answer !== undefined) return Promise.resolve({ status: 'answered', answer: record.answer.value });
    if (record.inFlight !== undefined && record.inFlight.leaseUntil > now) return Promise.resolve({ status: 'in-flight', settled: record.inFlight.settled });
    // No call holds it (an earlier one ended without an answer, or its lease ran out): this call
    // must first find out what the earlier ones did.
    record.inFlight?.done();
    record.inFlight = this.lease(now, leaseMs);
    return Promise.resolve({ status: 'claimed', lease: record.inFlight.lease, unsettledSince: record.firstCallAt });
  }

  settle(key: string, lease: string, answer: Answer): Promise<void> {
    const record = this.records.get(key);
    if (record !== undefined && record.inFlight?.lease === lease) {
      record.answer = { value: answer };
      record.inFlight?.done();
      record.inFlight = undefined;
    }
    return Promise.resolve();
  }

  release(key: string, lease: string): Promise<void> {
    const record = this.records.get(key);
    if (record !== undefined && record.inFlight?.lease === lease) {
      record.inFlight?.done();
      record.inFlight = undefined;
    }
    return Promise.resolve();
  }

  private live(key: string): MemoryRecord<Answer> | undefined {
    const record = this.records.get(key);
    if (record !== undefined && record.expiresAt <= this.clock()) {
      record.inFlight?.done();
      this.records.delete(key);
      return undefined;
    }
    return record;
  }

  private lease(now: number, leaseMs: number): NonNullable<MemoryRecord<Answer>['inFlight']> {
    let done!: () => void;
    const settled = new Promise<void>((resolve) => (done = resolve));
    return { lease: String(++this.leases), leaseUntil: now + leaseMs, settled, done };
  }

  /**
   * Drops expired records, then the oldest while over the bound. A record whose call is running is
   * never dropped for room: its duplicates would start a second call.
   */
  private makeRoom(): void {
    const now = this.clock();
    for (const [key, record] of this.records) {
      const expired = record.expiresAt <= now;
      if (!expired && this.records.size < this.options.maxRecords) break;
      if (!expired && record.inFlight !== undefined && record.inFlight.leaseUntil > now) continue;
      record.inFlight?.done();
      this.records.delete(key);
    }
  }
}
