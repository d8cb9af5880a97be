/**
 * SIGTERM to the real process (as Kubernetes, systemd or `docker stop` send it), during a create
 * that AWS (here the embedded emulator, slowed down) takes its time to answer: /ready turns 503 at
 * once, new connections are refused, subscriptions end with 1001, the create's answer arrives and
 * the snapshot exists, and the process exits 0 within SHUTDOWN_GRACE_MS. When the grace runs out,
 * what is left is cut and the exit code says so.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionRefusal, RawConnection, startProcess, stopProcess, type GatewayProcess } from './support/process';
import { connect, subscribe } from './support/subscriptions';

jest.setTimeout(30_000);

/** How long the emulator holds the create: long enough to act during it, far from every deadline. */
const CREATE_DELAY_MS = 3_000;
const GRACE_MS = 8_000;

const CREATE = `mutation ($name: String!) {
  createServerlessCacheSnapshot(input: { serverlessCacheSnapshotName: $name, serverlessCacheName: "demo-valkey" }) {
    __typename
    ... on CreateServerlessCacheSnapshotSuccess { serverlessCacheSnapshot { serverlessCacheSnapshotName status } }
  }
}`;
const WATCH = 'subscription ($name: String!) { serverlessCacheSnapshotStatusChanged(name: $name) { serverlessCacheSnapshotName status } }';

interface Running {
  started: GatewayProcess;
  url: string;
  port: number;
  emulatorUrl: string;
  graphql(query: string, variables: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  emulator(method: string, path: string, body?: unknown): Promise<unknown>;
}

/** Processes to stop after each test, whatever it ended with: a process left running keeps jest waiting. */
const spawned: GatewayProcess[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((started) => stopProcess(started)));
});

async function run(env: Record<string, string>): Promise<Running> {
  const started = startProcess(env);
  spawned.push(started);
  const ready = await started.line((l) => l.msg === 'gateway ready');
  const emulatorLine = await started.line((l) => l.msg === 'using the embedded ElastiCache emulator');
  const url = new URL(String(ready.url)).origin;
  const emulatorUrl = String(emulatorLine.endpoint);
  return {
    started,
    url,
    port: Number(new URL(url).port),
    emulatorUrl,
    async graphql(query, variables) {
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async emulator(method, path, body) {
      const response = await fetch(`${emulatorUrl}/_emulator${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return response.json();
    },
  };
}

/** Resolves once the emulator has received `count` creates: the slow one is then in AWS's hands. */
async function createsReceived(gateway: Running, count: number): Promise<void> {
  const giveUp = Date.now() + 10_000;
  while (Date.now() < giveUp) {
    const calls = (await gateway.emulator('GET', '/calls')) as Record<string, number>;
    if ((calls.CreateServerlessCacheSnapshot ?? 0) >= count) return;
    await new Promise((wait) => setTimeout(wait, 20));
  }
  throw new Error(`the emulator has not received ${count} create(s)`);
}

it('on SIGTERM: /ready 503 at once, no new connections, subscriptions closed with 1001, the running create answered, exit 0 within the grace', async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'gateway-stop-')), 'state.json');
  const gateway = await run({
    // One attempt, which the emulator's delay stays far below: the create is slow, not failing.
    AWS_MAX_ATTEMPTS: '1',
    UPSTREAM_REQUEST_TIMEOUT_MS: '6000',
    UPSTREAM_CALL_DEADLINE_MS: '6000',
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
    // The watched snapshot stays `creating`, so its subscription stays open until the stop.
    EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '600000',
    // Where the snapshot can still be seen once the process, and its emulator, are gone.
    EMULATOR_STATE_FILE: stateFile,
  });
  const { started } = gateway;
  expect((await gateway.graphql(CREATE, { name: 'watched' })).status).toBe(200);
  let closeCode: number | undefined;
  const client = connect(gateway.url, undefined, { closed: (event) => (closeCode = (event as { code: number }).code) });
  const watch = subscribe(client, WATCH, { name: 'watched' });
  const watchEnded = watch.done.then(
    () => 'completed',
    () => 'errored',
  );
  await watch.received(1);

  // A connection already open (a load balancer's), with a probe on it that has begun: Node
  // closes idle connections when it stops listening, but not one a request is arriving on.
  const probe = await RawConnection.open(gateway.port);
  await probe.write('GET /ready HTTP/1.1\r\nHost: gateway\r\n\r\n');
  expect((await probe.response()).status).toBe(200);
  await probe.write('GET /ready HTTP/1.1\r\nHost: gateway\r\n');

  await gateway.emulator('POST', '/faults', { action: 'CreateServerlessCacheSnapshot', delayMs: CREATE_DELAY_MS });
  let createAnswered = false;
  const create = gateway.graphql(CREATE, { name: 'created-during-the-stop' }).finally(() => (createAnswered = true));
  await createsReceived(gateway, 2);

  const signalled = Date.now();
  started.process.kill('SIGTERM');
  await started.line((l) => typeof l.msg === 'string' && l.msg.startsWith('stopping'));

  await probe.write('\r\n');
  const notReady = await probe.response();
  expect(createAnswered).toBe(false);
  expect(notReady.status).toBe(503);
  expect(JSON.parse(notReady.body)).toEqual({ status: 'unavailable', check: 'draining' });
  expect(notReady.headers.connection).toBe('close');

  expect(await connectionRefusal(gateway.port)).toBe('ECONNREFUSED');
  expect(createAnswered).toBe(false);

  expect(await watchEnded).toBe('errored');
  expect(closeCode).toBe(1001);

  const answer = await create;
  expect(answer).toEqual({
    status: 200,
    body: {
      data: {
        createServerlessCacheSnapshot: {
          __typename: 'CreateServerlessCacheSnapshotSuccess',
          serverlessCacheSnapshot: { serverlessCacheSnapshotName: 'created-during-the-stop', status: 'creating' },
        },
      },
    },
  });

  expect(await started.exit).toBe(0);
  expect(Date.now() - signalled).toBeLessThan(GRACE_MS);
  expect(started.lines.map((l) => l.msg)).toContain('stopped: every request answered, AWS client destroyed');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { snapshots: { name: string }[] };
  expect(state.snapshots.map((s) => s.name)).toContain('created-during-the-stop');
  await client.dispose();
});

it('a second SIGTERM does not cut the drain short', async () => {
  const gateway = await run({ AWS_MAX_ATTEMPTS: '1', UPSTREAM_REQUEST_TIMEOUT_MS: '6000', UPSTREAM_CALL_DEADLINE_MS: '6000', SHUTDOWN_GRACE_MS: String(GRACE_MS) });
  const { started } = gateway;
  await gateway.emulator('POST', '/faults', { action: 'CreateServerlessCacheSnapshot', delayMs: CREATE_DELAY_MS });
  const create = gateway.graphql(CREATE, { name: 'signalled-twice' });
  await createsReceived(gateway, 1);
  started.process.kill('SIGTERM');
  await started.line((l) => typeof l.msg === 'string' && l.msg.startsWith('stopping'));
  started.process.kill('SIGTERM');
  await started.line((l) => typeof l.msg === 'string' && l.msg.startsWith('already stopping'));
  expect((await create).body).toMatchObject({ data: { createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } } });
  expect(await started.exit).toBe(0);
});

it('when the grace runs out, cuts what is still running, says how many, and exits non-zero', async () => {
  const grace = 1_500;
  const gateway = await run({ UPSTREAM_REQUEST_TIMEOUT_MS: '1000', UPSTREAM_CALL_DEADLINE_MS: '1000', SHUTDOWN_GRACE_MS: String(grace) });
  const { started } = gateway;
  // One AWS call cannot outlast the grace (it is at least the call deadline), but a client can:
  // this one announces a body and sends half of it.
  const body = JSON.stringify({ query: '{ __typename }' });
  const slowClient = await RawConnection.open(gateway.port);
  await slowClient.write(
    `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n${body.slice(0, 5)}`,
  );
  // Node answers 100 Continue as it hands the request to the gateway: from then on, it is running.
  expect((await slowClient.response()).status).toBe(100);

  const signalled = Date.now();
  started.process.kill('SIGTERM');
  expect(await started.exit).toBe(1);
  expect(Date.now() - signalled).toBeGreaterThanOrEqual(grace - 50);
  await slowClient.closed;
  expect(started.lines).toContainEqual(
    expect.objectContaining({ level: 50, component: 'lifecycle', cutRequests: 1, msg: 'stopped when the grace ran out: 1 running request(s) cut, their answers lost' }),
  );
});
