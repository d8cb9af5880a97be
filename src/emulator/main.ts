/**
 * Standalone emulator (`npm run emulator`): configured from the environment (EMULATOR_* and
 * AWS_REGION, see src/config.ts), stopped cleanly by SIGINT or SIGTERM.
 */
import { loadEmulatorConfig } from '../config';
import { createLogger } from '../logger';
import { startEmulator } from './index';

async function main(): Promise<void> {
  const logger = createLogger('info');
  let emulator;
  try {
    emulator = await startEmulator(loadEmulatorConfig(), logger);
  } catch (err) {
    logger.fatal({ err }, 'ElastiCache emulator failed to start');
    process.exitCode = 1;
    return;
  }
  const running = emulator;
  logger.info({ url: running.url }, `ElastiCache emulator listening on ${running.url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal means "now": do not wait for the graceful close any longer.
      logger.warn({ signal }, 'forced exit');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping the ElastiCache emulator');
    running.close().then(
      () => logger.info('ElastiCache emulator stopped'),
      (err: unknown) => {
        logger.error({ err }, 'ElastiCache emulator did not stop cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
