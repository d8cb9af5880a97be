/**
 * Token buckets, one per key (a principal and what is limited). A bucket holds at most `capacity`
 * tokens and refills continuously at `capacity` per minute; `take` removes tokens only when all of
 * them are there, so a request that would overdraw is refused whole and costs nothing.
 *
 * The store sits behind `TokenBucketStore` so that several gateway replicas can share one (a store
 * whose `take` is atomic on its side); this process's default keeps buckets in memory. Token
 * buckets rather than a library's fixed windows: a fixed window lets a caller spend twice its
 * limit across a window boundary, and the exact time until enough tokens are back is what
 * `Retry-After` must say.
 */

export interface BucketShape {
  capacity: number;
  /** Tokens added back per millisecond. */
  refillPerMs: number;
}

export type TakeResult = { taken: true } | { taken: false; retryAfterMs: number };

/** Tokens to take from one bucket. */
export interface Charge {
  key: string;
  tokens: number;
  shape: BucketShape;
}

export interface TokenBucketStore {
  /** Takes every charge, or none when any bucket falls short (atomically, in a shared store too). */
  takeAll(charges: readonly Charge[], nowMs: number): Promise<TakeResult>;
  close(): void;
}

export function perMinute(capacity: number): BucketShape {
  return { capacity, refillPerMs: capacity / 60_000 };
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** When the bucket is full again, and so can be forgotten. */
  fullAtMs: number;
}

/** Buckets in this process's memory; full ones are forgotten, so memory follows active callers only. */
export class MemoryTokenBucketStore implements TokenBucketStore {
  private readonly buckets = new Map<string, Bucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepEveryMs = 60_000) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), sweepEveryMs).unref();
  }

  /** One charge: `takeAll` of one. */
  take(key: string, tokens: number, shape: BucketShape, nowMs: number): Promise<TakeResult> {
    return this.takeAll([{ key, tokens, shape }], nowMs);
  }

  takeAll(charges: readonly Charge[], nowMs: number): Promise<TakeResult> {
    const available = charges.map(({ key, shape }) => {
      const bucket = this.buckets.get(key);
      return bucket === undefined ? shape.capacity : Math.min(shape.capacity, bucket.tokens + (nowMs - bucket.updatedMs) * shape.refillPerMs);
    });
    let retryAfterMs = 0;
    charges.forEach(({ tokens, shape }, i) => {
      const missing = Math.min(tokens, shape.capacity) - available[i]!;
      if (available[i]! < tokens) retryAfterMs = Math.max(retryAfterMs, Math.ceil(missing / shape.refillPerMs));
    });
    if (retryAfterMs > 0 || charges.some(({ tokens }, i) => available[i]! < tokens)) return Promise.resolve({ taken: false, retryAfterMs });
    charges.forEach(({ key, tokens, shape }, i) => {
      const left = available[i]! - tokens;
      this.buckets.set(key, { tokens: left, updatedMs: nowMs, fullAtMs: nowMs + (shape.capacity - left) / shape.refillPerMs });
    });
    return Promise.resolve({ taken: true });
  }

  /** Buckets held right now (callers that spent tokens recently). */
  get size(): number {
    return this.buckets.size;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.fullAtMs <= nowMs) this.buckets.delete(key);
  }
}
