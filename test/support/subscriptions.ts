/** A graphql-ws client for tests: subscribes over a real WebSocket to the running gateway. */
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  /** Every `next` payload so far. */
  events: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }[];
  /** Settles when the server completes the subscription, or rejects with its error. */
  done: Promise<void>;
  /** Resolves once `count` events have arrived. */
  received(count: number): Promise<void>;
  unsubscribe(): void;
}

/** A graphql-ws client; `connectionParams` is `connection_init`'s payload (credentials). */
export function connect(httpUrl: string, connectionParams?: Record<string, unknown>, on?: ClientOptions['on']): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(connectionParams === undefined ? {} : { connectionParams }),
    ...(on === undefined ? {} : { on }),
  });
}

export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown>): Subscription<T> {
  const events: Subscription<T>['events'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          events.push(value as Subscription<T>['events'][number]);
          for (const w of waiters.filter((w) => events.length >= w.count)) w.resolve();
        },
        error: (error: unknown) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: resolve,
      },
    );
  });
  return {
    events,
    done,
    received: (count) => (events.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    unsubscribe: () => unsubscribe(),
  };
}
