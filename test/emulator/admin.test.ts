/** The admin API: health, fault injection of every kind, call counts, reset, cache status, snapshot view. */
import {
  CreateServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  DescribeServerlessCachesCommand,
  InvalidParameterCombinationException,
  ServiceLinkedRoleNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { connect } from 'node:net';
import { adminCall, callCounts, expectFault, injectFault, rawAws, sdkClient, start, useEmulator } from './helpers';

const env = useEmulator();

const describeCaches = () => env.client.send(new DescribeServerlessCachesCommand({}));

it('GET /_emulator/health', async () => {
  expect(await adminCall(env.emulator.url, 'GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
});

describe('POST /_emulator/faults', () => {
  it('returns the resolved injection with an id, and lists pending ones', async () => {
    const reply = await adminCall(env.emulator.url, 'POST', '/faults', { code: 'InvalidParameterCombinationException', times: 2 });
    expect(reply).toEqual({
      status: 201,
      body: {
        id: expect.any(String) as string,
        action: '*',
        times: 2,
        remaining: 2,
        delayMs: 0,
        dropConnection: false,
        probability: 1,
        afterOperation: false,
        fault: { code: 'InvalidParameterCombination', status: 400, type: 'Sender', message: 'Two or more incompatible parameters were specified.' },
      },
    });
    expect((await adminCall<unknown[]>(env.emulator.url, 'GET', '/faults')).body).toEqual([reply.body]);
  });

  it('answers a modeled fault by shape name or wire code with its modeled code and status', async () => {
    await injectFault(env.emulator.url, { code: 'ServiceLinkedRoleNotFoundFault' });
    await injectFault(env.emulator.url, { code: 'InvalidParameterCombination' });
    await expectFault(describeCaches(), { name: 'ServiceLinkedRoleNotFoundFault', status: 400, errorClass: ServiceLinkedRoleNotFoundFault });
    await expectFault(describeCaches(), { name: 'InvalidParameterCombinationException', status: 400, errorClass: InvalidParameterCombinationException });
    await describeCaches();
  });

  it('answers any other code with the given status (Throttling, 400) and message', async () => {
    await injectFault(env.emulator.url, { code: 'Throttling', status: 400, message: 'Rate exceeded' });
    const e = await expectFault(describeCaches(), { name: 'Throttling', status: 400 });
    expect(e.message).toBe('Rate exceeded');
    expect(e.$fault).toBe('client');
  });

  it('marks 5xx injected faults as Receiver on the wire', async () => {
    await injectFault(env.emulator.url, { code: 'InternalFailure', status: 500 });
    const reply = await rawAws(env.emulator.url, 'Action=DescribeServerlessCaches&Version=2015-02-02');
    expect(reply.status).toBe(500);
    expect(reply.text).toContain('<Type>Receiver</Type><Code>InternalFailure</Code>');
  });

  it('lets an SDK with maxAttempts 3 retry a 503 three times, all counted', async () => {
    const retrying = sdkClient(env.emulator.url, { maxAttempts: 3 });
    try {
      await injectFault(env.emulator.url, { action: 'DescribeServerlessCaches', code: 'ServiceUnavailable', status: 503, times: 3 });
      const e = await expectFault(retrying.send(new DescribeServerlessCachesCommand({})), { name: 'ServiceUnavailable', status: 503 });
      expect(e.$fault).toBe('server');
      expect(e.$metadata.attempts).toBe(3);
      expect((await callCounts(env.emulator.url)).DescribeServerlessCaches).toBe(3);
      // Once the injection is used up, a retried call succeeds on its second attempt.
      await injectFault(env.emulator.url, { code: 'ServiceUnavailable', status: 503 });
      const out = await retrying.send(new DescribeServerlessCachesCommand({}));
      expect(out.$metadata.attempts).toBe(2);
      expect((await callCounts(env.emulator.url)).DescribeServerlessCaches).toBe(5);
    } finally {
      retrying.destroy();
    }
  });

  it('applies only to the named action, for `times` requests, in FIFO order', async () => {
    await injectFault(env.emulator.url, { action: 'DescribeServerlessCacheSnapshots', code: 'AccessDenied', status: 403, times: 2 });
    await injectFault(env.emulator.url, { action: 'DescribeServerlessCacheSnapshots', code: 'Throttling', status: 400 });
    await describeCaches();
    const snapshots = () => env.client.send(new DescribeServerlessCacheSnapshotsCommand({}));
    await expectFault(snapshots(), { name: 'AccessDenied', status: 403 });
    await expectFault(snapshots(), { name: 'AccessDenied', status: 403 });
    await expectFault(snapshots(), { name: 'Throttling', status: 400 });
    await snapshots();
    expect((await adminCall(env.emulator.url, 'GET', '/faults')).body).toEqual([]);
  });

  it('fires the fault instead of running the operation', async () => {
    await injectFault(env.emulator.url, { action: 'CreateServerlessCacheSnapshot', code: 'Throttling', status: 400 });
    const input = { ServerlessCacheSnapshotName: 'not-made', ServerlessCacheName: 'demo-valkey' };
    await expectFault(env.client.send(new CreateServerlessCacheSnapshotCommand(input)), { name: 'Throttling', status: 400 });
    expect((await adminCall(env.emulator.url, 'GET', '/snapshots/not-made')).status).toBe(404);
  });

  it('delays the response, then runs the operation normally', async () => {
    await injectFault(env.emulator.url, { delayMs: 300 });
    const started = Date.now();
    const out = await describeCaches();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(out.ServerlessCaches).toHaveLength(4);
  });

  it('delays, then answers the fault, when both are given', async () => {
    await injectFault(env.emulator.url, { delayMs: 200, code: 'ServerlessCacheNotFoundFault' });
    const started = Date.now();
    await expectFault(describeCaches(), { name: 'ServerlessCacheNotFoundFault', status: 404 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('drops the connection without answering (SDK and raw HTTP)', async () => {
    await injectFault(env.emulator.url, { dropConnection: true, times: 2 });
    const err = await describeCaches().then(
      () => undefined,
      (e: unknown) => e as Error & { $metadata?: unknown },
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).toMatch(/socket hang up|ECONNRESET|other side closed/i);
    await expect(rawAws(env.emulator.url, 'Action=DescribeServerlessCaches&Version=2015-02-02')).rejects.toThrow(TypeError);
    expect((await callCounts(env.emulator.url)).DescribeServerlessCaches).toBe(2);
    await describeCaches();
  });

  it('DELETE /_emulator/faults clears all injections', async () => {
    await injectFault(env.emulator.url, { code: 'Throttling', status: 400, times: 5 });
    expect(await adminCall(env.emulator.url, 'DELETE', '/faults')).toEqual({ status: 200, body: { cleared: true } });
    await describeCaches();
  });
});

describe('/_emulator/calls', () => {
  it('counts AWS requests per Action, faulted and failed ones included, and resets', async () => {
    await describeCaches();
    await describeCaches();
    await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheName: 'ghost' })), {
      name: 'ServerlessCacheNotFoundFault',
      status: 404,
    });
    await injectFault(env.emulator.url, { code: 'Throttling', status: 400 });
    await expectFault(describeCaches(), { name: 'Throttling', status: 400 });
    await rawAws(env.emulator.url, 'Action=NoSuchAction&Version=2015-02-02');
    expect(await callCounts(env.emulator.url)).toEqual({ DescribeServerlessCacheSnapshots: 1, DescribeServerlessCaches: 3, NoSuchAction: 1 });
    expect(await adminCall(env.emulator.url, 'DELETE', '/calls')).toEqual({ status: 200, body: { cleared: true } });
    expect(await callCounts(env.emulator.url)).toEqual({});
  });
});

describe('POST /_emulator/reset', () => {
  it('restores the seed state and clears snapshots, injections and counts', async () => {
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'demo-valkey' }));
    await adminCall(env.emulator.url, 'PUT', '/caches/demo-valkey/status', { status: 'deleting' });
    await injectFault(env.emulator.url, { code: 'Throttling', status: 400 });
    expect(await adminCall(env.emulator.url, 'POST', '/reset')).toEqual({ status: 200, body: { reset: true } });
    expect(await callCounts(env.emulator.url)).toEqual({});
    const caches = await describeCaches();
    expect(caches.ServerlessCaches?.find((c) => c.ServerlessCacheName === 'demo-valkey')?.Status).toBe('available');
    expect((await env.client.send(new DescribeServerlessCacheSnapshotsCommand({}))).ServerlessCacheSnapshots).toEqual([]);
  });
});

describe('PUT /_emulator/caches/:name/status', () => {
  it('sets any cache status, by case-insensitive name', async () => {
    expect(await adminCall(env.emulator.url, 'PUT', '/caches/DEMO-MODIFYING/status', { status: 'available' })).toEqual({
      status: 200,
      body: { name: 'demo-modifying', status: 'available' },
    });
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 's', ServerlessCacheName: 'demo-modifying' }));
  });

  it('404 for an unknown cache', async () => {
    expect(await adminCall(env.emulator.url, 'PUT', '/caches/ghost/status', { status: 'available' })).toEqual({
      status: 404,
      body: { error: 'Serverless cache ghost not found.' },
    });
  });
});

describe('GET /_emulator/snapshots/:name', () => {
  it('shows the stored snapshot with its tags', async () => {
    await env.client.send(
      new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'Viewed', ServerlessCacheName: 'demo-redis', Tags: [{ Key: 'a', Value: 'b' }] }),
    );
    const reply = await adminCall(env.emulator.url, 'GET', '/snapshots/VIEWED');
    expect(reply).toEqual({
      status: 200,
      body: {
        name: 'viewed',
        arn: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:viewed',
        cacheName: 'demo-redis',
        status: 'creating',
        statusUntil: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
        exportBucket: null,
        snapshotType: 'manual',
        engine: 'redis',
        majorEngineVersion: '7',
        createTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
        kmsKeyId: null,
        bytesUsedForCache: '52428800',
        tags: [{ key: 'a', value: 'b' }],
      },
    });
  });
});

describe('shutdown', () => {
  it('close() cuts an injected delay short and does not wait for it', async () => {
    const other = await start();
    await injectFault(other.url, { delayMs: 60_000 });
    const pending = rawAws(other.url, 'Action=DescribeServerlessCaches&Version=2015-02-02');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it('close() does not wait for a client stalled mid-body', async () => {
    const other = await start();
    const { port } = new URL(other.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=');
    const ended = new Promise((r) => socket.once('close', r));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await ended;
  });

  it('close() is idempotent and closes keep-alive connections', async () => {
    const other = await start();
    const keepAlive = sdkClient(other.url);
    await keepAlive.send(new DescribeServerlessCachesCommand({}));
    await Promise.all([other.close(), other.close()]);
    await expect(keepAlive.send(new DescribeServerlessCachesCommand({}))).rejects.toThrow(/ECONNREFUSED|socket hang up|ECONNRESET/);
    keepAlive.destroy();
  });
});
