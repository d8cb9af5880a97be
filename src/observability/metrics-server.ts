/**
 * Prometheus metrics on a listener of their own (`METRICS_HOST`:`METRICS_PORT`, loopback by
 * default), never on the public port: they name operations, principals' traffic and upstream
 * failures, which is the operator's business, and scraping them costs CPU nobody else should be
 * able to spend.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsConfig } from '../config';
import type { Logger } from '../logger';
import type { GatewayMetrics } from './metrics';

export interface MetricsServer {
  /** Starts listening; resolves to the base URL (`http://host:port`). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export function createMetricsServer(config: MetricsConfig & { port: number }, metrics: GatewayMetrics, logger: Logger): MetricsServer {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'metrics could not be collected');
        response.writeHead(500).end();
      },
    );
  });
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { address, port } = server.address() as AddressInfo;
          resolve(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
