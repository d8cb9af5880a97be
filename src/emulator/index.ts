/**
 * The embedded ElastiCache emulator: an HTTP server speaking the AWS awsQuery protocol for the
 * serverless-cache snapshot operations, plus a JSON admin API under `/_emulator/`. See README.md.
 */
import type { EmulatorConfig } from '../config';
import type { Logger } from '../logger';
import { AdminApi } from './admin-api';
import { AwsApi } from './aws-api';
import { CallCounter, FaultInjector } from './injections';
import { readStateFile, StateFileWriter } from './persistence';
import { seedBuckets, seedState } from './seeds';
import { EmulatorHttpServer } from './server';
import { EmulatorStore } from './store';

export { StateFileError } from './persistence';

export interface RunningEmulator {
  /** e.g. "http://127.0.0.1:4567" — AWS API at POST /, admin API under /_emulator/ */
  readonly url: string;
  /** Stops listening, closes keep-alive sockets, flushes the state file. */
  close(): Promise<void>;
}

function urlHost(address: string): string {
  // A wildcard bind is reachable on loopback; the wildcard itself is not a connectable address.
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

export interface EmulatorOptions {
  /**
   * Epoch milliseconds "now" (default `Date.now`): every time the emulator records or compares
   * (creation times, transitions, quotas) comes from it, so tests can move time by hand.
   */
  clock?: () => number;
}

/**
 * Starts the emulator. With `config.stateFile` set, its content is loaded (or the seed state is
 * written when the file does not exist); a file that cannot be used rejects with `StateFileError`.
 */
export async function startEmulator(config: EmulatorConfig, logger: Logger, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = logger.child({ component: 'elasticache-emulator' });
  const clock = options.clock ?? Date.now;
  const saved =
    config.stateFile === undefined
      ? undefined
      : await readStateFile(config.stateFile, { snapshotAvailableAfterMs: config.snapshotAvailableAfterMs, buckets: seedBuckets(config.region) });
  const store = new EmulatorStore(saved ?? seedState(config.region));
  const writer = config.stateFile === undefined ? undefined : new StateFileWriter(config.stateFile, () => store.toData(), clock);
  const persist = (): Promise<void> => writer?.save() ?? Promise.resolve();
  if (saved === undefined) await persist();
  // Transitions are applied when the state is read. Their outcome depends only on stored times, so
  // a failed write of one loses nothing: the state file still holds what produces it again.
  const settle = async (nowMs: number): Promise<void> => {
    if (!store.advance(nowMs)) return;
    try {
      await persist();
    } catch (err) {
      log.error({ err }, 'could not save the emulator state after applying due transitions');
    }
  };

  const injector = new FaultInjector();
  const calls = new CallCounter();
  const shutdown = new AbortController();
  const aws = new AwsApi({ config, store, injector, calls, persist, settle, clock, logger: log, shutdown: shutdown.signal });
  const admin = new AdminApi({
    store,
    injector,
    calls,
    persist,
    reset: async () => {
      store.replace(seedState(config.region));
      injector.clear();
      calls.clear();
      await persist();
    },
    settle,
    region: config.region,
    clock,
    logger: log,
  });
  const server = new EmulatorHttpServer({ aws, admin, logger: log });
  const address = await server.listen(config.host, config.port);
  const url = `http://${urlHost(address.address)}:${address.port}`;
  log.debug({ url, stateFile: config.stateFile, restored: saved !== undefined }, 'emulator started');

  let closing: Promise<void> | undefined;
  return {
    url,
    close(): Promise<void> {
      closing ??= (async () => {
        shutdown.abort();
        await server.close();
        await writer?.flush();
        log.debug('emulator stopped');
      })();
      return closing;
    },
  };
}
