/**
 * Identical registered queries in flight at the same moment run once: a query whose document,
 * operation, variables, caller and grants are those of one already running waits for that run and
 * answers with it. Many clients watching one thing (a dashboard on every screen, a status polled by
 * each replica of a service) then cost one execution, not one each.
 *
 * The same terms as identical AWS reads shared below (src/elasticache/read-sharing.ts), one level
 * up: nothing is kept once a run has ended; a query that starts after a write (a mutation sent or
 * ended in this process) never joins a run that started before it; and only the same caller with
 * the same grants joins, so authorization, applied inside the run, is the joiner's own. Each
 * request still passes its own authentication and admission (rate limits, cost) before it may join,
 * and has its own log line and metrics: only execution and the response body are shared.
 */
import type { Principal } from '../auth/principal';

export interface SharedExecutionOptions {
  /** A count that moves whenever a write is sent or ends (ReadSharing.writes). */
  writesSoFar: () => number;
  /** Told whether each query ran or joined one running. */
  counted: (outcome: 'executed' | 'joined') => void;
}

interface Running<T> {
  /** `writesSoFar()` when the run started. */
  readonly writes: number;
  /** The request whose execution it is. */
  readonly requestId: string;
  readonly answer: Promise<T>;
}

/** A query's answer, and the request whose run gave it when that was another request's. */
export interface Shared<T> {
  answer: T;
  /** The request id of the run this query joined; undefined when it ran itself. */
  joined: string | undefined;
}

export class SharedExecutions<T> {
  private readonly running = new Map<string, Running<T>>();

  constructor(private readonly options: SharedExecutionOptions) {}

  /**
   * The answer of the run in flight under `key`, or of `execute()` (as request `requestId`), shared
   * while it runs. A key of null is never shared.
   */
  async run(key: string | null, requestId: string, execute: () => Promise<T>): Promise<Shared<T>> {
    if (key === null) return { answer: await execute(), joined: undefined };
    const writes = this.options.writesSoFar();
    const running = this.running.get(key);
    if (running !== undefined && running.writes === writes) {
      this.options.counted('joined');
      return { answer: await running.answer, joined: running.requestId };
    }
    this.options.counted('executed');
    const answer = execute();
    const entry: Running<T> = { writes, requestId, answer };
    this.running.set(key, entry);
    const ended = () => {
      if (this.running.get(key) === entry) this.running.delete(key);
    };
    answer.then(ended, ended);
    return { answer: await answer, joined: undefined };
  }
}

/** Who a query runs as, for sharing: the caller and every grant it holds. */
export function callerKey(principal: Principal): string {
  // Built by hand: it runs for every query, and JSON.stringify of the grants cost more than the rest
  // of the key. Every part is length-prefixed, so no name (a token's `sub` is the issuer's choice)
  // can spell another caller's key.
  const part = (text: string) => `${text.length}:${text}`;
  let key = part(principal.kind) + part(principal.id);
  for (const grant of principal.grants) {
    key += `|${grant.scopes.size}:`;
    for (const scope of grant.scopes) key += part(scope);
    key += `${grant.caches.patterns.length}:`;
    for (const pattern of grant.caches.patterns) key += part(pattern);
  }
  return key;
}
