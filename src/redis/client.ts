/**
 * The process's connections to Redis: one for commands and the dedicated one pub/sub needs (a
 * subscribed connection can run nothing else). Both fail fast instead of queueing: with no offline
 * queue, a command sent while Redis is unreachable fails at once, and one sent to a Redis that does
 * not answer fails after `REDIS_COMMAND_TIMEOUT_MS`, so each store can apply its own policy (fail
 * open, refuse, poll locally) within a request's time. ioredis reconnects on its own, forever,
 * backing off to one attempt every two seconds.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config';
import { StoreUnavailableError } from '../errors';
import type { Logger } from '../logger';

export interface RedisConnections {
  /** Commands (and the stores' Lua scripts). */
  commands: Redis;
  channels: RedisChannels;
  /** Puts the deployment's prefix before a key or channel name. */
  key(name: string): string;
  /** Resolves when Redis answers a PING within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const MAX_RECONNECT_DELAY_MS = 2_000;

/** The URL with its password replaced, for logs. */
export function redactedRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

/**
 * Opens both connections and waits up to the connect timeout for them. A Redis that cannot be
 * reached at start-up does not stop the gateway: the stores behave as when it goes away later,
 * and the connections keep trying.
 */
export async function connectRedis(config: RedisConfig, logger: Logger): Promise<RedisConnections> {
  const log = logger.child({ component: 'redis' });
  const options: RedisOptions = {
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    // A command caught by a dropped connection fails rather than waiting for the next one.
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
    // Connected below, so the start can wait for it.
    lazyConnect: true,
  };
  const commands = new Redis(config.url, { ...options, connectionName: 'ecsg-commands' });
  const subscriber = new Redis(config.url, { ...options, connectionName: 'ecsg-subscriber' });
  let up = false;
  commands.on('ready', () => {
    if (!up) log.info({ url: redactedRedisUrl(config.url) }, 'Redis reachable: rate limits, idempotency records and snapshot polls are shared');
    up = true;
  });
  commands.on('error', (error: Error) => {
    if (up) log.warn({ reason: error.message }, 'Redis unreachable: see the README\'s "Several replicas" for what each store does meanwhile');
    up = false;
  });
  subscriber.on('error', () => undefined);
  const connected = (connection: Redis) => connection.connect().catch(() => undefined);
  await Promise.all([connected(commands), connected(subscriber)]);
  if (!up) log.warn({ url: redactedRedisUrl(config.url) }, 'Redis not reachable at start-up; retrying in the background');
  const channels = new RedisChannels(subscriber);
  return {
    commands,
    channels,
    key: (name) => `${config.keyPrefix}${name}`,
    ping: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          commands.ping(),
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      // QUIT lets replies on their way arrive; then nothing may reconnect.
      await Promise.all([commands.quit().catch(() => undefined), subscriber.quit().catch(() => undefined)]);
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * One command of a store: a failure (no connection, a timeout, an error reply) is told to
 * `onFailure` and becomes `StoreUnavailableError`, which each store's caller has a policy for.
 */
export async function storeCommand<T>(store: string, onFailure: () => void, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    onFailure();
    throw new StoreUnavailableError(store, error);
  }
}

type Listener = (message: string) => void;

/** The subscriber connection, shared by every store: channel name → the listeners of this process. */
export class RedisChannels {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly subscriber: Redis) {
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
    });
  }

  /**
   * Adds `listener` to `channel` and (re)subscribes to it; rejects when Redis cannot be reached,
   * the listener staying registered for a later call to subscribe again.
   */
  async listen(channel: string, listener: Listener): Promise<void> {
    let set = this.listeners.get(channel);
    if (set === undefined) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    await this.subscriber.subscribe(channel);
  }

  unlisten(channel: string, listener: Listener): void {
    const set = this.listeners.get(channel);
    if (set === undefined) return;
    set.delete(listener);
    if (set.size > 0) return;
    this.listeners.delete(channel);
    // Not subscribed any more if Redis went away meanwhile: nothing to undo then.
    this.subscriber.unsubscribe(channel).catch(() => undefined);
  }
}
