/**
 * The benchmark's baselines, each a bare `node:http` server:
 *
 * - `static` (A): answers every POST with a fixed JSON body once it has read the request body. The
 *   most a Node HTTP server can do on this machine: the ceiling.
 * - `sdk` (B): what a user would write instead of the gateway. It reads `{"name": "…"}`, makes the
 *   same SDK call the gateway makes (`POST /create`: CreateServerlessCacheSnapshot; `POST /read`:
 *   DescribeServerlessCacheSnapshots) and answers the snapshot's fields as JSON. Its client has the
 *   gateway's configuration (keep-alive agent, timeouts, retries), so the difference between B and
 *   the gateway is the gateway's layers, not SDK tuning; it is built as a user would build it, with
 *   the SDK's defaults otherwise (no handler cache).
 * - `sdk-cached` (B-cached): the same with the SDK's `cacheMiddleware: true`, which the gateway also
 *   uses: the best a bare proxy does.
 * - `aws-layer` (D): the same handler calling the gateway's own AWS layer instead of a client of
 *   its own: the client the gateway builds (src/elasticache/client.ts) behind the AWS layer it
 *   builds (src/elasticache/aws-layer.ts: per-call deadline, read sharing, each caller's share of
 *   AWS calls, the AWS-call metrics and log lines), reached per request as src/context.ts reaches
 *   it. Between B-cached and D is about what the gateway's AWS layer costs; between D and C, about
 *   everything above it (HTTP, GraphQL, authentication, limits, the operation's metrics and log).
 *   About: D is a smaller process than the gateway, and the same SDK call costs more on a larger
 *   heap.
 *
 * Usage: node dist/bench/baseline-server.js static|sdk|sdk-cached|aws-layer  (PORT, HOST and the gateway's AWS_* env)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  CreateServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  type ServerlessCacheSnapshot,
} from '@aws-sdk/client-elasticache';
import { Agent as HttpAgent } from 'node:http';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loadGatewayConfig } from '../src/config';
import { anonymousPrincipal, principalKey } from '../src/auth/principal';
import { AwsLayer } from '../src/elasticache/aws-layer';
import { createElastiCacheClient } from '../src/elasticache/client';
import { createLogger } from '../src/logger';
import { GatewayMetrics } from '../src/observability/metrics';
import { BENCH_CACHE } from './mixes';
import type { BaselineKind } from './servers';

/** What A answers: the size and shape of the gateway's answer to the create mutation. */
const STATIC_BODY = JSON.stringify({
  data: {
    createServerlessCacheSnapshot: {
      __typename: 'CreateServerlessCacheSnapshotSuccess',
      serverlessCacheSnapshot: {
        serverlessCacheSnapshotName: 'bench-00000000-000000',
        arn: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:bench-00000000-000000',
        status: 'creating',
        createTime: '2026-01-01T00:00:00.000Z',
      },
    },
  },
});

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.once('error', fail);
  });
}

const fields = (s: ServerlessCacheSnapshot | undefined) =>
  s && {
    serverlessCacheSnapshotName: s.ServerlessCacheSnapshotName,
    arn: s.ARN,
    status: s.Status,
    createTime: s.CreateTime,
  };

/**
 * The client a user would build: the gateway's settings (timeouts, retries, keep-alive pool), the
 * SDK's own request handler, and its handler cache only when asked (`sdk-cached`).
 */
function userClient(cacheMiddleware: boolean): ElastiCacheClient {
  const { upstream } = loadGatewayConfig();
  const agentOptions = { keepAlive: true, maxSockets: upstream.maxSockets };
  return new ElastiCacheClient({
    ...(upstream.region !== undefined ? { region: upstream.region } : {}),
    ...(upstream.endpoint !== undefined ? { endpoint: upstream.endpoint } : {}),
    maxAttempts: upstream.maxAttempts,
    retryMode: upstream.retryMode,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: upstream.connectionTimeoutMs,
      requestTimeout: upstream.requestTimeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
    }),
    cacheMiddleware,
  });
}

function sdkHandler(cacheMiddleware: boolean) {
  const client = userClient(cacheMiddleware);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { name } = JSON.parse(await readBody(req)) as { name: string };
    if (req.url === '/create') {
      const output = await client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: BENCH_CACHE }));
      send(res, 200, JSON.stringify({ snapshot: fields(output.ServerlessCacheSnapshot) }));
    } else if (req.url === '/read') {
      const output = await client.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: name }));
      send(res, 200, JSON.stringify({ snapshot: fields(output.ServerlessCacheSnapshots?.[0]) ?? null }));
    } else {
      send(res, 404, '{"error":"not found"}');
    }
  };
}

/** D: B's handler on the gateway's AWS layer, reached per request as src/context.ts reaches it. */
function awsLayerHandler() {
  const config = loadGatewayConfig();
  const logger = createLogger(config.logLevel);
  const aws = new AwsLayer(createElastiCacheClient(config.upstream), config, logger, new GatewayMetrics({ processMetrics: true }));
  // Every request is the caller C sees with authentication off (AUTH_DISABLED=true): the load's one address.
  const caller = principalKey(anonymousPrincipal('127.0.0.1'));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { name } = JSON.parse(await readBody(req)) as { name: string };
    const dataSource = aws.forRequest(caller, logger);
    if (req.url === '/create') {
      const command = new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: BENCH_CACHE });
      const output = await dataSource.send('CreateServerlessCacheSnapshot', command);
      send(res, 200, JSON.stringify({ snapshot: fields(output.ServerlessCacheSnapshot) }));
    } else if (req.url === '/read') {
      const output = await dataSource.send('DescribeServerlessCacheSnapshots', new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: name }));
      send(res, 200, JSON.stringify({ snapshot: fields(output.ServerlessCacheSnapshots?.[0]) ?? null }));
    } else {
      send(res, 404, '{"error":"not found"}');
    }
  };
}

const HANDLERS: Record<BaselineKind, () => (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
  static: () => async (req, res) => {
    await readBody(req);
    send(res, 200, STATIC_BODY);
  },
  sdk: () => sdkHandler(false),
  'sdk-cached': () => sdkHandler(true),
  'aws-layer': awsLayerHandler,
};

function main(): void {
  const kind = process.argv[2];
  if (kind === undefined || !Object.hasOwn(HANDLERS, kind)) throw new Error(`usage: baseline-server.js ${Object.keys(HANDLERS).join('|')}`);
  const handle = HANDLERS[kind as BaselineKind]();
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      send(res, 200, '{"status":"ok"}');
      return;
    }
    handle(req, res).catch((err: unknown) => {
      send(res, 502, JSON.stringify({ error: err instanceof Error ? err.name : 'error' }));
    });
  });
  server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main();
