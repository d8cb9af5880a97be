/** Starts the gateway: `npm start`. Configuration: see the README's table. */
import { PolicyFileError } from './auth/policy-files';
import { startBackend } from './backend';
import { ConfigurationError, loadGatewayConfig } from './config';
import { createLogger } from './logger';
import { GatewayMetrics } from './observability/metrics';
import { createGateway, GRAPHQL_PATH } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const backend = await startBackend(config, logger);
  const gateway = await createGateway({
    config,
    logger,
    elasticache: backend.elasticache,
    metrics: new GatewayMetrics({ processMetrics: true }),
  });
  const url = await gateway.listen();
  // The pid is where SIGHUP goes (npm, when it started the gateway, is another process).
  logger.info({ url: `${url}${GRAPHQL_PATH}`, backend: config.backend, pid: process.pid, metrics: gateway.metricsUrl }, 'gateway ready');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing running requests');
    gateway
      .close()
      .then(() => backend.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      });
  };
  process.on('SIGHUP', () => {
    gateway.reloadCredentials().catch((error: unknown) => {
      logger.error({ err: error }, 'credentials not reloaded: the previous ones stay in force');
    });
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof PolicyFileError) {
    console.error(`Invalid credentials file: ${error.message}`);
    process.exit(2);
  }
  console.error('The gateway could not start:', error);
  process.exit(1);
});
