/**
 * Fault injection and call counting for the admin API. Pure state, no HTTP: the AWS endpoint asks
 * `take(action)` before running an operation (and, for an `afterOperation` injection, applies it
 * once the operation has run), and the admin endpoint adds and clears injections.
 */
import { z } from 'zod';
import { findModeledFault, type ErrorType } from './faults';

/** A validated injection, with any fault resolved to the exact code, status and type to answer. */
export interface FaultInjection {
  id: string;
  /** An AWS Action name, or `*` for any. */
  action: string;
  times: number;
  /** Matching requests it still applies to. */
  remaining: number;
  delayMs: number;
  dropConnection: boolean;
  /** Chance (0 < p ≤ 1) that a matching request is affected; only affected requests use up `times`. */
  probability: number;
  /**
   * Run the operation and keep its state change, then drop the connection or answer the fault in
   * place of the real answer: AWS accepted the request but the client never heard.
   */
  afterOperation: boolean;
  fault?: { code: string; status: number; type: ErrorType; message: string; retryAfterSeconds?: number };
}

export type FaultInjectionRequest = z.infer<ReturnType<typeof faultInjectionSchema>>;

const MAX_DELAY_MS = 120_000;

/**
 * The admin API's request body. Strict: unknown fields and contradictory combinations are refused
 * so a typo in a test cannot silently inject nothing.
 */
export function faultInjectionSchema(actions: readonly string[]) {
  return z
    .strictObject({
      action: z
        .string()
        .refine((a) => a === '*' || actions.includes(a), { message: `must be "*" or one of ${actions.join(', ')}` })
        .default('*'),
      code: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9._-]{0,127}$/, 'must be an error code such as Throttling or ServerlessCacheNotFoundFault')
        .optional(),
      status: z.int().min(400).max(599).optional(),
      message: z.string().min(1).max(2048).optional(),
      retryAfterSeconds: z.int().min(0).max(3600).optional(),
      times: z.int().min(1).max(1_000_000).default(1),
      delayMs: z.int().min(0).max(MAX_DELAY_MS).optional(),
      dropConnection: z.boolean().default(false),
      probability: z.number().gt(0).lte(1).default(1),
      afterOperation: z.boolean().default(false),
    })
    .superRefine((b, ctx) => {
      if (b.code === undefined && b.delayMs === undefined && !b.dropConnection) {
        ctx.addIssue({ code: 'custom', path: [], message: 'give at least one of code, delayMs or dropConnection' });
      }
      if (b.code === undefined) {
        if (b.status !== undefined) ctx.addIssue({ code: 'custom', path: ['status'], message: 'only allowed together with code' });
        if (b.message !== undefined) ctx.addIssue({ code: 'custom', path: ['message'], message: 'only allowed together with code' });
        if (b.retryAfterSeconds !== undefined) ctx.addIssue({ code: 'custom', path: ['retryAfterSeconds'], message: 'only allowed together with code' });
      } else if (b.dropConnection) {
        ctx.addIssue({ code: 'custom', path: ['dropConnection'], message: 'cannot be combined with code: a dropped connection answers nothing' });
      } else if (b.status === undefined && findModeledFault(b.code) === undefined) {
        ctx.addIssue({ code: 'custom', path: ['status'], message: `required for code ${b.code}, which is not a modeled ElastiCache fault` });
      }
      // A delay alone after the operation would just be a slow success, which delayMs already gives.
      if (b.afterOperation && b.code === undefined && !b.dropConnection) {
        ctx.addIssue({ code: 'custom', path: ['afterOperation'], message: 'requires dropConnection or code: the answer the operation gave is replaced by one of them' });
      }
    });
}

export interface FaultInjectorDeps {
  /** Uniform in [0, 1), like Math.random; injectable so tests of `probability` are deterministic. */
  random?: () => number;
}

export class FaultInjector {
  private queue: FaultInjection[] = [];
  private nextId = 1;
  private readonly random: () => number;

  constructor(deps: FaultInjectorDeps = {}) {
    this.random = deps.random ?? Math.random;
  }

  add(request: FaultInjectionRequest): FaultInjection {
    const injection: FaultInjection = {
      id: String(this.nextId++),
      action: request.action,
      times: request.times,
      remaining: request.times,
      delayMs: request.delayMs ?? 0,
      dropConnection: request.dropConnection,
      probability: request.probability,
      afterOperation: request.afterOperation,
    };
    if (request.code !== undefined) {
      const modeled = findModeledFault(request.code);
      // A modeled fault keeps its wire code, status and type unless the caller overrides the status.
      const status = request.status ?? modeled?.httpStatus ?? 500;
      injection.fault = {
        code: modeled?.code ?? request.code,
        status,
        type: modeled?.type ?? (status >= 500 ? 'Receiver' : 'Sender'),
        message: request.message ?? modeled?.documentation ?? `Injected ${request.code} fault.`,
        ...(request.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: request.retryAfterSeconds }),
      };
    }
    this.queue.push(injection);
    return structuredClone(injection);
  }

  /**
   * The injection to apply to one request for `action`, if any, with one of its uses consumed.
   * Matching injections get their chance oldest first and the first that fires wins, so several
   * low-probability kinds of failure can be queued side by side without one starving the others
   * of uses: the ones that did not fire keep theirs.
   */
  take(action: string): FaultInjection | undefined {
    for (let i = 0; i < this.queue.length; i++) {
      const injection = this.queue[i];
      if (injection === undefined || (injection.action !== '*' && injection.action !== action)) continue;
      // A certain injection draws nothing, so a scripted random source only scripts the uncertain ones.
      if (injection.probability < 1 && !(this.random() < injection.probability)) continue;
      injection.remaining--;
      if (injection.remaining === 0) this.queue.splice(i, 1);
      return structuredClone(injection);
    }
    return undefined;
  }

  list(): FaultInjection[] {
    return structuredClone(this.queue);
  }

  clear(): void {
    this.queue = [];
  }
}

export class CallCounter {
  private counts = new Map<string, number>();

  record(action: string): void {
    this.counts.set(action, (this.counts.get(action) ?? 0) + 1);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  clear(): void {
    this.counts.clear();
  }
}
