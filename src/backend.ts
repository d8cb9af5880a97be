/**
 * Chooses what the gateway talks to: the embedded emulator (the default, no AWS account needed)
 * or AWS itself. Either way the gateway gets one real `ElastiCacheClient`, so the production code
 * path, wire protocol included, is the same.
 */
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { GatewayConfig } from './config';
import { createElastiCacheClient } from './elasticache/client';
import { startEmulator, type RunningEmulator } from './emulator';
import type { Logger } from './logger';
import { checkAwsIdentity, checkStateFileWritable, listenFailure } from './startup-checks';

export interface Backend {
  elasticache: ElastiCacheClient;
  /** The embedded emulator, when the gateway runs on it. */
  emulator: RunningEmulator | undefined;
  close(): Promise<void>;
}

/** The emulator does not check signatures; the SDK still needs something to sign with. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'EMULATOR', secretAccessKey: 'EMULATOR' };

/**
 * Checks what the backend needs before anything listens (against AWS: a region and credentials;
 * on the emulator: a writable state file), then starts it. A problem is a `StartupError`.
 */
export async function startBackend(config: GatewayConfig, logger: Logger): Promise<Backend> {
  if (config.backend === 'aws') {
    const elasticache = createElastiCacheClient(config.upstream);
    try {
      await checkAwsIdentity(elasticache, config.upstream.callDeadlineMs);
    } catch (error) {
      elasticache.destroy();
      throw error;
    }
    logger.info(
      { backend: 'aws', region: config.upstream.region ?? '(from AWS_PROFILE)', endpoint: config.upstream.endpoint ?? '(AWS default)' },
      'using AWS ElastiCache',
    );
    return {
      elasticache,
      emulator: undefined,
      close: () => {
        elasticache.destroy();
        return Promise.resolve();
      },
    };
  }
  if (config.emulator.stateFile !== undefined) await checkStateFileWritable(config.emulator.stateFile);
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator(config.emulator, logger.child({ component: 'emulator' }));
  } catch (error) {
    throw listenFailure(error, { port: 'EMULATOR_PORT', host: 'EMULATOR_HOST' }, config.emulator.host, config.emulator.port);
  }
  const elasticache = createElastiCacheClient({ ...config.upstream, endpoint: emulator.url }, EMULATOR_CREDENTIALS);
  logger.info({ backend: 'embedded', endpoint: emulator.url, region: config.emulator.region }, 'using the embedded ElastiCache emulator');
  return {
    elasticache,
    emulator,
    async close() {
      elasticache.destroy();
      await emulator.close();
    },
  };
}
