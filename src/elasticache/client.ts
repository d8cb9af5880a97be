/**
 * The one place the process's ElastiCache client is built, from validated configuration.
 *
 * The SDK has no timeouts by default and reads retry settings from the host environment; both are
 * set here explicitly, so a hung upstream cannot hang a request and the gateway behaves the same
 * on every host. Region, profile and credentials otherwise follow the SDK's standard chain.
 *
 * The SDK's handler cache (`cacheMiddleware`) is on: without it every call resolves and sorts the
 * whole middleware stack again. It holds only for calls sent without per-call options, so each
 * call's deadline and attempt record travel through src/elasticache/call-control.ts instead.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { UpstreamConfig } from '../config';
import { addCallControl, DeadlineRequestHandler } from './call-control';

/** Static credentials, for the embedded emulator (which does not check signatures). */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function createElastiCacheClient(config: UpstreamConfig, credentials?: StaticCredentials): ElastiCacheClient {
  const agentOptions = { keepAlive: true, maxSockets: config.maxSockets };
  const client = new ElastiCacheClient({
    ...(config.region !== undefined ? { region: config.region } : {}),
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    maxAttempts: config.maxAttempts,
    retryMode: config.retryMode,
    requestHandler: new DeadlineRequestHandler(
      new NodeHttpHandler({
        connectionTimeout: config.connectionTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        // Without this the SDK only logs a warning when requestTimeout passes, and keeps waiting.
        throwOnRequestTimeout: true,
        httpAgent: new HttpAgent(agentOptions),
        httpsAgent: new HttpsAgent(agentOptions),
      }),
    ),
    cacheMiddleware: true,
  });
  addCallControl(client.middlewareStack);
  return client;
}
