/**
 * Fault injection and call counting for the admin API. Pure state, no HTTP: the AWS endpoint asks
 * `take(action)` before running an operation, and the admin endpoint adds and clears injections.
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
  fault?: { code: string; status: number; type: ErrorType; message: string };
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
      times: z.int().min(1).max(1_000_000).default(1),
      delayMs: z.int().min(0).max(MAX_DELAY_MS).optional(),
      dropConnection: z.boolean().default(false),
    })
    .superRefine((b, ctx) => {
      if (b.code === undefined && b.delayMs === undefined && !b.dropConnection) {
        ctx.addIssue({ code: 'custom', path: [], message: 'give at least one of code, delayMs or dropConnection' });
      }
      if (b.code === undefined) {
        if (b.status !== undefined) ctx.addIssue({ code: 'custom', path: ['status'], message: 'only allowed together with code' });
        if (b.message !== undefined) ctx.addIssue({ code: 'custom', path: ['message'], message: 'only allowed together with code' });
      } else if (b.dropConnection) {
        ctx.addIssue({ code: 'custom', path: ['dropConnection'], message: 'cannot be combined with code: a dropped connection answers nothing' });
      } else if (b.status === undefined && findModeledFault(b.code) === undefined) {
        ctx.addIssue({ code: 'custom', path: ['status'], message: `required for code ${b.code}, which is not a modeled ElastiCache fault` });
      }
    });
}

export class FaultInjector {
  private queue: FaultInjection[] = [];
  private nextId = 1;

  add(request: FaultInjectionRequest): FaultInjection {
    const injection: FaultInjection = {
      id: String(this.nextId++),
      action: request.action,
      times: request.times,
      remaining: request.times,
      delayMs: request.delayMs ?? 0,
      dropConnection: request.dropConnection,
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
      };
    }
    this.queue.push(injection);
    return structuredClone(injection);
  }

  /** Consumes one use of the oldest injection matching `action` (FIFO), if any. */
  take(action: string): FaultInjection | undefined {
    const i = this.queue.findIndex((inj) => inj.action === '*' || inj.action === action);
    const injection = this.queue[i];
    if (injection === undefined) return undefined;
    injection.remaining--;
    if (injection.remaining === 0) this.queue.splice(i, 1);
    return structuredClone(injection);
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
