/**
 * Starts the gateway: `npm start`. Configuration: see the README's table; starting and stopping:
 * its "Starting and stopping" section.
 *
 * The order matters. Everything that can be checked without a port (settings, host names,
 * credential files, AWS region and credentials, the emulator's state file) is checked first; then
 * the embedded emulator's loopback port, the metrics port, and the public port last. A problem is
 * one line on stderr naming the setting, and exit code 2; nothing is left listening.
 */
// First: traces (when configured) patch `http`, `graphql` and the AWS SDK as they are required.
import { tracing } from './observability/start-tracing';
import { Authenticator } from './auth/authenticator';
import { PolicyFileError } from './auth/policy-files';
import { startBackend, type Backend } from './backend';
import { ConfigurationError, loadGatewayConfig, type GatewayConfig } from './config';
import { StateFileError } from './emulator';
import { createLogger } from './logger';
import { GatewayMetrics } from './observability/metrics';
import { createGateway, GRAPHQL_PATH, type Gateway } from './server';
import { checkHostResolves, StartupError } from './startup-checks';

/** Exit code for a start refused because of the environment, as for a bad setting. */
const EXIT_CONFIGURATION = 2;
/** Exit code for a stop that had to cut requests when the grace ran out. */
const EXIT_CUT = 1;

async function checkHosts(config: GatewayConfig): Promise<void> {
  await checkHostResolves('HOST', config.host);
  if (config.metrics.port !== undefined) await checkHostResolves('METRICS_HOST', config.metrics.host);
  if (config.backend === 'embedded') await checkHostResolves('EMULATOR_HOST', config.emulator.host);
}

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger(config.logLevel);
  await checkHosts(config);
  const authenticator = await Authenticator.create(config.auth);
  const backend: Backend = await startBackend(config, logger);
  let gateway: Gateway;
  let url: string;
  try {
    gateway = await createGateway({ config, logger, elasticache: backend.elasticache, metrics: new GatewayMetrics({ processMetrics: true }), authenticator });
    url = await gateway.listen();
  } catch (error) {
    await backend.close().catch(() => undefined);
    throw error;
  }
  // The pid is where SIGHUP and SIGTERM go (npm, when it started the gateway, is another process).
  logger.info({ url: `${url}${GRAPHQL_PATH}`, backend: config.backend, pid: process.pid, metrics: gateway.metricsUrl }, 'gateway ready');

  const lifecycle = logger.child({ component: 'lifecycle' });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal (an impatient operator, or an orchestrator repeating itself) must not cut
      // answers that are on their way; SIGKILL is there for when waiting is not wanted.
      lifecycle.info({ signal, graceMs: config.lifecycle.shutdownGraceMs }, 'already stopping: running requests still have their grace');
      return;
    }
    stopping = true;
    const closing = gateway.close();
    lifecycle.info({ signal, graceMs: config.lifecycle.shutdownGraceMs }, 'stopping: /ready answers 503, no new connections, finishing running requests');
    closing
      .then(async (outcome) => {
        await backend.close();
        // The last spans (this stop's requests among them) are exported before the process exits.
        await tracing.shutdown();
        const graceMs = config.lifecycle.shutdownGraceMs;
        if (outcome.cutRequests > 0) {
          lifecycle.error({ ...outcome, graceMs }, `stopped when the grace ran out: ${outcome.cutRequests} running request(s) cut, their answers lost`);
          process.exit(EXIT_CUT);
        }
        // A client that does not answer a WebSocket close loses nothing: its subscriptions had ended.
        if (outcome.cutWebSockets > 0) lifecycle.warn({ ...outcome, graceMs }, `${outcome.cutWebSockets} WebSocket(s) did not finish closing within the grace`);
        lifecycle.info('stopped: every request answered, AWS client destroyed');
        process.exit(0);
      })
      .catch((error: unknown) => {
        lifecycle.error({ err: error }, 'unclean stop');
        process.exit(1);
      });
  };
  process.on('SIGHUP', () => {
    gateway.reloadCredentials().catch((error: unknown) => {
      logger.error({ err: error }, 'credentials not reloaded: the previous ones stay in force');
    });
  });
  // `on`, not `once`: with no listener left, a second signal would kill the process mid-drain.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
    process.exit(EXIT_CONFIGURATION);
  }
  if (error instanceof StartupError || error instanceof StateFileError) {
    console.error(`The gateway cannot start: ${error.message}`);
    process.exit(EXIT_CONFIGURATION);
  }
  if (error instanceof PolicyFileError) {
    console.error(`Invalid credentials file: ${error.message}`);
    process.exit(EXIT_CONFIGURATION);
  }
  console.error('The gateway could not start:', error);
  process.exit(1);
});
