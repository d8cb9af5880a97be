/**
 * The ElastiCache client keeps the SDK's cached middleware stack (each command class's stack is
 * resolved once, not per call), and the per-call deadline still ends a call that AWS never
 * answers, releasing its connection.
 */
import { CreateServerlessCacheSnapshotCommand, DescribeServerlessCachesCommand } from '@aws-sdk/client-elasticache';
import { loadGatewayConfig } from '../../src/config';
import { createElastiCacheClient } from '../../src/elasticache/client';
import { ElastiCacheDataSource, UpstreamError } from '../../src/elasticache/data-source';
import { createLogger } from '../../src/logger';
import { GatewayMetrics } from '../../src/observability/metrics';
import { createServer, type Socket } from 'node:net';
import { startTestGateway } from '../support/gateway';

const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'x' };

/** Reads whatever arrives and never answers; counts the connections still open from its side. */
async function startSilentUpstream() {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Reading, so that the client closing its end is noticed.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    openConnections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

it('turns on the SDK handler cache', () => {
  const client = createElastiCacheClient(loadGatewayConfig({}).upstream, CREDENTIALS);
  try {
    expect(client.config.cacheMiddleware).toBe(true);
  } finally {
    client.destroy();
  }
});

it('resolves each command class middleware stack once over many reads and writes (no per-call options)', async () => {
  const gateway = await startTestGateway();
  const reads = jest.spyOn(DescribeServerlessCachesCommand.prototype, 'resolveMiddleware');
  const writes = jest.spyOn(CreateServerlessCacheSnapshotCommand.prototype, 'resolveMiddleware');
  try {
    for (let i = 0; i < 4; i++) {
      const read = await gateway.graphql('{ serverlessCache(name: "demo-valkey") { status } }');
      expect(read.body.errors).toBeUndefined();
      const created = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string } }>(
        `mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "cached-stack-${i}", serverlessCacheName: "demo-valkey"}) { __typename } }`,
      );
      expect(created.body.data?.createServerlessCacheSnapshot.__typename).toBe('CreateServerlessCacheSnapshotSuccess');
    }
    expect(reads.mock.calls.length).toBeLessThanOrEqual(1);
    expect(writes.mock.calls.length).toBeLessThanOrEqual(1);
  } finally {
    reads.mockRestore();
    writes.mockRestore();
    await gateway.close();
  }
});

it('ends a call AWS never answers at its deadline, counts the attempt as cut, and closes its connection', async () => {
  const silent = await startSilentUpstream();
  const opened = new Promise<void>((resolve) => {
    const poll = () => (silent.openConnections() > 0 ? resolve() : setTimeout(poll, 10));
    poll();
  });
  // One attempt with a request timeout far beyond the deadline: only the deadline can end it.
  const client = createElastiCacheClient(
    { ...loadGatewayConfig({}).upstream, endpoint: silent.url, maxAttempts: 1, requestTimeoutMs: 30_000 },
    CREDENTIALS,
  );
  const aws = new ElastiCacheDataSource(client, { callDeadlineMs: 300, logger: createLogger('silent'), metrics: new GatewayMetrics() });
  try {
    const started = performance.now();
    const error = await aws
      .send('CreateServerlessCacheSnapshot', new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'c' }))
      .catch((caught: unknown) => caught);
    expect(performance.now() - started).toBeLessThan(300 + 1_000);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', attempts: ['cut'] });
    await opened;
    for (let i = 0; i < 50 && silent.openConnections() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(silent.openConnections()).toBe(0);
  } finally {
    client.destroy();
    await silent.close();
  }
});
