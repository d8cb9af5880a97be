/**
 * The one place the process's ElastiCache client is built, from validated configuration.
 *
 * The SDK has no timeouts by default and reads retry settings from the host environment; both are
 * set here explicitly, so a hung upstream cannot hang a request and the gateway behaves the same
 * on every host. Region, profile and credentials otherwise follow the SDK's standard chain.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { UpstreamConfig } from '../config';

/** Static credentials, for the embedded emulator (which does not check signatures). */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function createElastiCacheClient(config: UpstreamConfig, credentials?: StaticCredentials): ElastiCacheClient {
  const agentOptions = { keepAlive: true, maxSockets: config.maxSockets };
  return new ElastiCacheClient({
    ...(config.region !== undefined ? { region: config.region } : {}),
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    maxAttempts: config.maxAttempts,
    retryMode: config.retryMode,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}
