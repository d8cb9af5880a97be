/**
 * What each AWS call carries through the SDK without per-call options to `client.send`: its
 * deadline and the record of its failed attempts. Per-call options would make the SDK resolve the
 * whole middleware stack again for every call (`cacheMiddleware` only applies to calls without
 * them), and the command's own middleware stack is resolved only once per command class when it is
 * cached; so the middleware that applies both is added once to the client's stack, and finds the
 * call it serves by the command's input object, which the SDK passes down to every attempt.
 *
 * The deadline ends the call on its own terms, not the SDK's: when it passes, the caller's promise
 * rejects at once (even while the SDK sleeps between two attempts), the attempt in flight is
 * aborted (its socket destroyed), and any attempt the SDK tries afterwards is refused before it
 * leaves. So a call can never run, nor send anything, past its deadline.
 */
import type { NodeHttpHandler, NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { HttpRequest, HttpResponse } from '@smithy/core/protocols';
import type { HttpHandlerOptions, MiddlewareStack, RequestHandler } from '@smithy/types';
import type { Cancellation } from '../limits/concurrency';
import { attemptFate, type FailedAttempts } from './attempts';

/**
 * A call's deadline as the gate and the SDK's request handler see it: what they use of an
 * AbortSignal (`aborted`, `reason`, abort listeners, `onabort`), without an AbortController's cost
 * (about 12 µs a call under load, measured with `npm run bench:profile`).
 */
class DeadlineSignal implements Cancellation {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((event: unknown) => void) | null = null;
  private listeners: (() => void)[] | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at !== -1) this.listeners?.splice(at, 1);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
    this.onabort?.({ type: 'abort' });
  }
}

/** The state of one call, found by the middleware through the command's input. */
interface CallState {
  readonly signal: DeadlineSignal;
  readonly failed: FailedAttempts;
  /** Attempts handed to the request handler and not yet answered. */
  inFlight: number;
  /** The caller has its answer (or the deadline's error): later attempt outcomes are nobody's business. */
  ended: boolean;
}

const calls = new WeakMap<object, CallState>();
/** The deadline of the attempt a request belongs to, for the request handler. */
const requestSignals = new WeakMap<object, DeadlineSignal>();

/** The reason a call's signal aborts with, and the error its caller gets, when the deadline passes. */
export function deadlineError(): Error {
  return new DOMException('The call deadline passed', 'TimeoutError');
}

function refusedAfterDeadline(): Error {
  return Object.assign(new Error('The call deadline passed before this attempt could be sent'), { name: 'AbortError' });
}

/**
 * One call's deadline: `run()` sends through it. The timer starts at construction, so the time a
 * call waits for its turn (the gate) counts against the same deadline.
 */
export class CallDeadline {
  readonly failed: FailedAttempts = { fates: [], errors: [] };
  private readonly deadlineSignal = new DeadlineSignal();
  private readonly timer: NodeJS.Timeout;
  private readonly state: CallState;
  private expire: ((error: Error) => void) | undefined;
  private readonly startedAt = performance.now();
  /** When the deadline passes (performance.now() time). */
  readonly endsAt: number;

  constructor(readonly ms: number) {
    this.endsAt = this.startedAt + ms;
    this.state = { signal: this.deadlineSignal, failed: this.failed, inFlight: 0, ended: false };
    this.timer = setTimeout(() => this.pass(), ms);
  }

  elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** Aborts when the deadline passes: for waits before the call (its turn at the gate). */
  get signal(): Cancellation {
    return this.deadlineSignal;
  }

  /**
   * Sends `command` with `send` (a `client.send` without options), bounded by this deadline.
   * Rejects with `deadlineError()` when the deadline passes first.
   */
  run<T>(input: object, send: () => Promise<T>): Promise<T> {
    if (this.deadlineSignal.aborted) return Promise.reject(deadlineError());
    calls.set(input, this.state);
    const expired = new Promise<never>((_resolve, reject) => {
      this.expire = reject;
    });
    return Promise.race([send(), expired]);
  }

  /** Stops the timer; the call has its answer. */
  end(): void {
    this.state.ended = true;
    clearTimeout(this.timer);
  }

  private pass(): void {
    const state = this.state;
    if (state.ended) return;
    state.ended = true;
    // An attempt still out when the deadline passes may yet be done by AWS: say so, as the SDK's
    // abort error would have.
    if (state.inFlight > 0) {
      state.failed.fates.push('cut');
      state.failed.errors.push('AbortError');
    }
    const error = deadlineError();
    this.expire?.(error);
    this.deadlineSignal.abort(error);
  }
}

interface AttemptArgs {
  input?: unknown;
  request?: unknown;
}

/**
 * Added once to the client's stack, in the deserialize step: inside the SDK's retry loop, so it sees
 * every attempt, and outside the deserializer, so an attempt's error carries AWS's status.
 */
export function addCallControl<I extends object, O extends object>(stack: MiddlewareStack<I, O>): void {
  stack.add(
    (next) => async (args) => {
      const { input, request } = args as AttemptArgs;
      const state = typeof input === 'object' && input !== null ? calls.get(input) : undefined;
      if (state === undefined) return next(args);
      // The SDK woke from a backoff after the caller was answered: nothing more may leave.
      if (state.signal.aborted) throw refusedAfterDeadline();
      if (typeof request === 'object' && request !== null) requestSignals.set(request, state.signal);
      state.inFlight++;
      try {
        return await next(args);
      } catch (error) {
        if (!state.ended) {
          state.failed.fates.push(attemptFate(error));
          const e = error as { name?: string; code?: string };
          state.failed.errors.push(e.code !== undefined && e.name === 'TimeoutError' ? e.code : (e.name ?? 'Error'));
        }
        throw error;
      } finally {
        state.inFlight--;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'gatewayCallControl' },
  );
}

/**
 * The request handler, with each attempt aborted when its call's deadline passes: the connection is
 * destroyed then, not when the attempt's own request timeout would have ended it.
 */
export class DeadlineRequestHandler implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  readonly metadata: NodeHttpHandler['metadata'];

  constructor(private readonly inner: NodeHttpHandler) {
    this.metadata = inner.metadata;
  }

  handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const abortSignal = requestSignals.get(request);
    // The handler reads `aborted`, `reason` and abort listeners only, which the deadline's signal has.
    return this.inner.handle(request, abortSignal === undefined ? options : { ...options, abortSignal: abortSignal as unknown as AbortSignal });
  }

  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
