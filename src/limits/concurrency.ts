/**
 * Fair shares of the connections to AWS: one request may have at most
 * `UPSTREAM_MAX_CONCURRENCY_PER_REQUEST` AWS calls in flight, one principal at most
 * `UPSTREAM_MAX_CONCURRENCY_PER_PRINCIPAL` over all its requests, so no caller can hold every one of
 * the `UPSTREAM_MAX_SOCKETS`. Calls over a bound wait their turn, within their own call deadline.
 */

/**
 * What a wait needs of an `AbortSignal`: a real one, or the AWS layer's lighter per-call deadline
 * (src/elasticache/call-control.ts).
 */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

function abortError(signal: Cancellation): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Counts permits; waiters are served first come, first served. */
export class Semaphore {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly permits: number) {}

  get busy(): boolean {
    return this.inUse > 0 || this.waiting.length > 0;
  }

  /** Resolves to a release function once a permit is free; rejects with the signal's reason if it aborts first. */
  acquire(signal: Cancellation): Promise<() => void> {
    if (this.inUse < this.permits) {
      this.inUse += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', abandon);
        this.inUse += 1;
        resolve(this.releaser());
      };
      const abandon = () => {
        const index = this.waiting.indexOf(grant);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(abortError(signal));
      };
      if (signal.aborted) return reject(abortError(signal));
      signal.addEventListener('abort', abandon, { once: true });
      this.waiting.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= 1;
      this.waiting.shift()?.();
    };
  }
}

/** What an AWS call waits on before it is sent. */
export interface UpstreamGate {
  acquire(signal: Cancellation): Promise<() => void>;
}

/** No bound: for work that belongs to no request (the shared status polls). */
export const UNGATED: UpstreamGate = { acquire: () => Promise.resolve(() => undefined) };

/** The per-principal semaphores, kept only while a principal has calls in flight or waiting. */
export class UpstreamConcurrency {
  private readonly perPrincipal = new Map<string, Semaphore>();

  constructor(
    private readonly perRequestLimit: number,
    private readonly perPrincipalLimit: number,
  ) {}

  /** A gate for one request of `principalKey`: its own bound, then its principal's. */
  gateFor(principalKey: string): UpstreamGate {
    const request = new Semaphore(this.perRequestLimit);
    return {
      acquire: async (signal) => {
        const releaseRequest = await request.acquire(signal);
        const principal = this.principal(principalKey);
        let releasePrincipal: () => void;
        try {
          releasePrincipal = await principal.acquire(signal);
        } catch (error) {
          releaseRequest();
          this.forgetIfIdle(principalKey, principal);
          throw error;
        }
        return () => {
          releasePrincipal();
          releaseRequest();
          this.forgetIfIdle(principalKey, principal);
        };
      },
    };
  }

  /** Principals with calls in flight or waiting right now. */
  get activePrincipals(): number {
    return this.perPrincipal.size;
  }

  private principal(key: string): Semaphore {
    let semaphore = this.perPrincipal.get(key);
    if (semaphore === undefined) {
      semaphore = new Semaphore(this.perPrincipalLimit);
      this.perPrincipal.set(key, semaphore);
    }
    return semaphore;
  }

  private forgetIfIdle(key: string, semaphore: Semaphore): void {
    if (!semaphore.busy && this.perPrincipal.get(key) === semaphore) this.perPrincipal.delete(key);
  }
}
