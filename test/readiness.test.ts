/**
 * GET /ready: 200 while the gateway reaches ElastiCache with its credentials, 503 naming the check
 * that failed; one DescribeServerlessCaches per READY_CHECK_INTERVAL_MS however many probes ask;
 * 503 from the moment the gateway stops. /health stays pure liveness.
 */
import { createServer } from 'node:net';
import { GatewayErrorCode } from '../src/errors';
import { Readiness, type ProbeResult } from '../src/readiness';
import { startTestGateway, type TestGateway } from './support/gateway';
import { RawConnection } from './support/process';

describe('Readiness', () => {
  const REACHED: ProbeResult = { reached: true };
  const failed = (code: GatewayErrorCode): ProbeResult => ({ reached: false, code });

  function readiness(results: ProbeResult[], intervalMs = 5_000) {
    let now = 0;
    const probe = jest.fn(() => Promise.resolve(results.shift() ?? REACHED));
    return { probe, subject: new Readiness(probe, { intervalMs, now: () => now }), advance: (ms: number) => (now += ms) };
  }

  it('checks when asked, then answers from that check until it is older than the interval', async () => {
    const { probe, subject, advance } = readiness([REACHED, failed(GatewayErrorCode.UPSTREAM_ACCESS_DENIED)]);
    expect(await subject.state()).toEqual({ status: 'ready' });
    advance(4_999);
    expect(await subject.state()).toEqual({ status: 'ready' });
    expect(probe).toHaveBeenCalledTimes(1);
    advance(1);
    expect(await subject.state()).toEqual({ status: 'unavailable', check: 'elasticache', code: 'UPSTREAM_ACCESS_DENIED' });
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it('checks the shared store at every probe, and names it when it does not answer (AWS first when both fail)', async () => {
    let redisUp = true;
    const redis = { name: 'redis' as const, check: jest.fn(() => (redisUp ? Promise.resolve() : Promise.reject(new Error('no PONG')))) };
    const results = [REACHED, REACHED, REACHED, failed(GatewayErrorCode.UPSTREAM_UNAVAILABLE)];
    const subject = new Readiness(() => Promise.resolve(results.shift() ?? REACHED), { intervalMs: 0 }, [redis]);
    expect(await subject.state()).toEqual({ status: 'ready' });
    redisUp = false;
    expect(await subject.state()).toEqual({ status: 'unavailable', check: 'redis', code: 'DEPENDENCY_UNAVAILABLE' });
    redisUp = true;
    expect(await subject.state()).toEqual({ status: 'ready' });
    redisUp = false;
    expect(await subject.state()).toEqual({ status: 'unavailable', check: 'elasticache', code: 'UPSTREAM_UNAVAILABLE' });
    expect(redis.check).toHaveBeenCalledTimes(4);
  });

  it('lets probes that arrive together share one check', async () => {
    let answer: (result: ProbeResult) => void = () => undefined;
    const probe = jest.fn(() => new Promise<ProbeResult>((resolve) => (answer = resolve)));
    const subject = new Readiness(probe, { intervalMs: 0 });
    const states = [subject.state(), subject.state(), subject.state()];
    answer(REACHED);
    expect(await Promise.all(states)).toEqual([{ status: 'ready' }, { status: 'ready' }, { status: 'ready' }]);
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('keeps its last verdict while AWS throttles, and is not ready when throttling is all it has seen', async () => {
    const throttled = failed(GatewayErrorCode.UPSTREAM_THROTTLED);
    const fresh = readiness([throttled], 0);
    expect(await fresh.subject.state()).toEqual({ status: 'unavailable', check: 'elasticache', code: 'UPSTREAM_THROTTLED' });

    const seen = readiness([REACHED, throttled, throttled, failed(GatewayErrorCode.UPSTREAM_UNAVAILABLE), throttled], 0);
    expect(await seen.subject.state()).toEqual({ status: 'ready' });
    expect(await seen.subject.state()).toEqual({ status: 'ready' });
    expect(await seen.subject.state()).toEqual({ status: 'ready' });
    expect(await seen.subject.state()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(await seen.subject.state()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('is not ready from the moment it drains, without asking AWS', async () => {
    const { probe, subject } = readiness([]);
    subject.startDraining();
    expect(await subject.state()).toEqual({ status: 'unavailable', check: 'draining' });
    expect(probe).not.toHaveBeenCalled();
  });
});

describe('GET /ready', () => {
  async function probe(gateway: TestGateway): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${gateway.url}/ready`);
    return { status: response.status, body: await response.json() };
  }
  async function describeCalls(gateway: TestGateway): Promise<number> {
    return (await gateway.emulator.calls()).DescribeServerlessCaches ?? 0;
  }

  describe('checked on every probe', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ env: { READY_CHECK_INTERVAL_MS: '0' } });
    });
    afterAll(() => gateway.close());
    beforeEach(() => gateway.emulator.reset());

    it('answers 200 once started, without authentication', async () => {
      expect(await probe(gateway)).toEqual({ status: 200, body: { status: 'ready' } });
    });

    it('answers 503 when AWS refuses the credentials, saying which check failed and nothing of AWS; /health stays 200', async () => {
      await gateway.emulator.inject({ action: 'DescribeServerlessCaches', code: 'AccessDenied', status: 403 });
      const response = await fetch(`${gateway.url}/ready`);
      expect(response.status).toBe(503);
      expect(await response.text()).toBe('{"status":"unavailable","check":"elasticache","code":"UPSTREAM_ACCESS_DENIED"}');
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
      expect(await probe(gateway)).toEqual({ status: 200, body: { status: 'ready' } });
    });

    it('counts a fault AWS documents as an answer: AWS was reached', async () => {
      await gateway.emulator.inject({ action: 'DescribeServerlessCaches', code: 'InvalidParameterValue' });
      expect(await probe(gateway)).toEqual({ status: 200, body: { status: 'ready' } });
    });

    it('stays ready while AWS throttles the account, having reached it before', async () => {
      expect((await probe(gateway)).status).toBe(200);
      await gateway.emulator.inject({ action: 'DescribeServerlessCaches', code: 'Throttling', status: 400, times: Number(gateway.config.upstream.maxAttempts) });
      expect(await probe(gateway)).toEqual({ status: 200, body: { status: 'ready' } });
      expect(await describeCalls(gateway)).toBe(1 + gateway.config.upstream.maxAttempts);
    });
  });

  it('makes one DescribeServerlessCaches per interval, however many probes come and however they overlap', async () => {
    const gateway = await startTestGateway({ env: { READY_CHECK_INTERVAL_MS: '60000' } });
    try {
      const together = await Promise.all(Array.from({ length: 10 }, () => probe(gateway)));
      expect(together.map((p) => p.status)).toEqual(Array(10).fill(200));
      for (let i = 0; i < 5; i++) expect((await probe(gateway)).status).toBe(200);
      expect(await describeCalls(gateway)).toBe(1);
    } finally {
      await gateway.close();
    }
  });

  it('answers 503 when AWS cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const endpointOverride = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((done) => closed.close(() => done()));
    const gateway = await startTestGateway({ endpointOverride });
    try {
      expect(await probe(gateway)).toEqual({ status: 503, body: { status: 'unavailable', check: 'elasticache', code: 'UPSTREAM_UNAVAILABLE' } });
    } finally {
      await gateway.close();
    }
  });

  it('answers 503 from the moment the gateway stops, on a connection already open, without asking AWS', async () => {
    const gateway = await startTestGateway({ env: { READY_CHECK_INTERVAL_MS: '0' } });
    const connection = await RawConnection.open(Number(new URL(gateway.url).port));
    try {
      await connection.write('GET /ready HTTP/1.1\r\nHost: gateway\r\n\r\n');
      expect((await connection.response()).status).toBe(200);
      const calls = await describeCalls(gateway);
      // The next probe has begun arriving when the stop starts (an idle connection would be closed).
      await connection.write('GET /ready HTTP/1.1\r\nHost: gateway\r\n');
      await new Promise((wait) => setTimeout(wait, 50));
      const stopped = gateway.gateway.close();
      await connection.write('\r\n');
      const response = await connection.response();
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body)).toEqual({ status: 'unavailable', check: 'draining' });
      expect(await stopped).toEqual({ cutRequests: 0, cutWebSockets: 0 });
      expect(await describeCalls(gateway)).toBe(calls);
    } finally {
      await gateway.close();
    }
  });
});
