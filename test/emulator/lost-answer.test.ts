/**
 * End to end, through the AWS SDK and raw sockets: `afterOperation` injections ("AWS accepted, the
 * answer was lost") and `probability`.
 */
import {
  CreateServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  DescribeServerlessCachesCommand,
  ServerlessCacheSnapshotAlreadyExistsFault,
  type ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminCall, callCounts, errorCode, expectFault, injectFault, rawAws, sdkClient, start, useEmulator } from './helpers';

const env = useEmulator();

const V = 'Version=2015-02-02';
const CREATE = 'CreateServerlessCacheSnapshot';

function create(client: ElastiCacheClient, name: string, cache = 'demo-valkey') {
  return client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: cache }));
}

/** What the SDK (or fetch) rejected with, failing the test if the call succeeded. */
async function failure(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => {
      throw new Error('expected the call to fail, but it succeeded');
    },
    (e: unknown) => e as Error,
  );
}

async function describedSnapshotNames(client: ElastiCacheClient): Promise<string[]> {
  const out = await client.send(new DescribeServerlessCacheSnapshotsCommand({}));
  return (out.ServerlessCacheSnapshots ?? []).map((s) => s.ServerlessCacheSnapshotName ?? '');
}

async function pendingInjections(url: string): Promise<{ id: string; remaining: number }[]> {
  return (await adminCall<{ id: string; remaining: number }[]>(url, 'GET', '/faults')).body;
}

/**
 * Sends one raw HTTP request on a fresh socket and returns every byte that came back before the
 * server closed it.
 */
function rawExchange(url: string, body: string): Promise<{ received: Buffer; error?: Error }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let error: Error | undefined;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      error = e;
    });
    socket.on('close', () => resolve({ received: Buffer.concat(chunks), error }));
    socket.once('connect', () => {
      socket.write(
        `POST / HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('afterOperation with dropConnection', () => {
  it('creates the snapshot, then drops the connection: the SDK call fails, a describe right after shows the snapshot', async () => {
    await injectFault(env.emulator.url, { action: CREATE, afterOperation: true, dropConnection: true });
    const err = await failure(create(env.client, 'lost-create'));
    expect(err.message).toMatch(/socket hang up|ECONNRESET|other side closed/i);
    expect(await describedSnapshotNames(env.client)).toEqual(['lost-create']);
    expect(await pendingInjections(env.emulator.url)).toEqual([]);
  });

  it('makes a retrying SDK meet ServerlessCacheSnapshotAlreadyExistsFault for the snapshot its first attempt created', async () => {
    const retrying = sdkClient(env.emulator.url, { maxAttempts: 2 });
    try {
      await injectFault(env.emulator.url, { action: CREATE, afterOperation: true, dropConnection: true });
      const e = await expectFault(create(retrying, 'retried'), {
        name: 'ServerlessCacheSnapshotAlreadyExistsFault',
        status: 400,
        errorClass: ServerlessCacheSnapshotAlreadyExistsFault,
      });
      expect(e.$metadata.attempts).toBe(2);
      expect((await callCounts(env.emulator.url))[CREATE]).toBe(2);
      expect(await describedSnapshotNames(env.client)).toEqual(['retried']);
    } finally {
      retrying.destroy();
    }
  });

  it('differs from a drop before the operation, which creates nothing and lets the retry succeed', async () => {
    const retrying = sdkClient(env.emulator.url, { maxAttempts: 2 });
    try {
      await injectFault(env.emulator.url, { action: CREATE, dropConnection: true });
      const out = await create(retrying, 'first-try-lost');
      expect(out.$metadata.attempts).toBe(2);
      expect(await describedSnapshotNames(env.client)).toEqual(['first-try-lost']);
    } finally {
      retrying.destroy();
    }
  });

  it('destroys the socket without writing a single byte, after the state change is made', async () => {
    await injectFault(env.emulator.url, { action: CREATE, afterOperation: true, dropConnection: true });
    const { received } = await rawExchange(env.emulator.url, `Action=${CREATE}&${V}&ServerlessCacheSnapshotName=raw&ServerlessCacheName=demo-redis`);
    expect(received.length).toBe(0);
    expect((await adminCall(env.emulator.url, 'GET', '/snapshots/raw')).status).toBe(200);
    // The same exchange without an injection does get an answer, so the empty reply above is the drop.
    const answered = await rawExchange(env.emulator.url, `Action=DescribeServerlessCaches&${V}`);
    expect(answered.received.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('drops a read the same way after running it', async () => {
    await injectFault(env.emulator.url, { action: 'DescribeServerlessCaches', afterOperation: true, dropConnection: true });
    const err = await failure(env.client.send(new DescribeServerlessCachesCommand({})));
    expect(err.message).toMatch(/socket hang up|ECONNRESET|other side closed/i);
    expect((await env.client.send(new DescribeServerlessCachesCommand({}))).ServerlessCaches).toHaveLength(4);
  });
});

describe('afterOperation with code', () => {
  it('creates the snapshot, then answers the injected 503', async () => {
    await injectFault(env.emulator.url, { action: CREATE, afterOperation: true, code: 'ServiceUnavailable', status: 503 });
    const e = await expectFault(create(env.client, 'accepted'), { name: 'ServiceUnavailable', status: 503 });
    expect(e.$fault).toBe('server');
    expect(await describedSnapshotNames(env.client)).toEqual(['accepted']);
    // The retry a client would make now finds its own snapshot.
    await expectFault(create(env.client, 'accepted'), { name: 'ServerlessCacheSnapshotAlreadyExistsFault', status: 400 });
  });

  it('differs from the same fault before the operation, which creates nothing', async () => {
    await injectFault(env.emulator.url, { action: CREATE, code: 'ServiceUnavailable', status: 503 });
    await expectFault(create(env.client, 'refused'), { name: 'ServiceUnavailable', status: 503 });
    expect(await describedSnapshotNames(env.client)).toEqual([]);
  });

  it("replaces the operation's own fault with the injected one", async () => {
    await create(env.client, 'taken');
    await injectFault(env.emulator.url, { action: CREATE, afterOperation: true, code: 'Throttling', status: 400, times: 2 });
    await expectFault(create(env.client, 'taken'), { name: 'Throttling', status: 400 });
    await expectFault(create(env.client, 'other', 'ghost-cache'), { name: 'Throttling', status: 400 });
    expect(await describedSnapshotNames(env.client)).toEqual(['taken']);
  });

  it('answers the injected fault for DescribeServerlessCacheSnapshots, and the next describe is normal', async () => {
    await create(env.client, 'listed');
    await injectFault(env.emulator.url, { action: 'DescribeServerlessCacheSnapshots', afterOperation: true, code: 'ServiceUnavailable', status: 503 });
    await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({})), { name: 'ServiceUnavailable', status: 503 });
    expect(await describedSnapshotNames(env.client)).toEqual(['listed']);
  });

  it('waits delayMs after the operation ran before answering', async () => {
    await injectFault(env.emulator.url, { action: CREATE, afterOperation: true, code: 'ServiceUnavailable', status: 503, delayMs: 1500 });
    let settled = false;
    const started = Date.now();
    const call = create(env.client, 'slow-loss').finally(() => {
      settled = true;
    });
    call.catch(() => undefined);
    // The snapshot shows up while the client is still waiting for its (lost) answer.
    await waitFor(async () => (await adminCall(env.emulator.url, 'GET', '/snapshots/slow-loss')).status === 200, 1400);
    expect(settled).toBe(false);
    await expectFault(call, { name: 'ServiceUnavailable', status: 503 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1490);
  });
});

describe('probability, end to end', () => {
  it('affects about the given share of requests and counts only those against times', async () => {
    await injectFault(env.emulator.url, { action: 'DescribeServerlessCaches', code: 'Throttling', status: 400, probability: 0.5, times: 1_000_000 });
    let throttled = 0;
    for (let i = 0; i < 200; i++) {
      const reply = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}`);
      if (reply.status === 400 && errorCode(reply.text) === 'Throttling') throttled++;
      else expect(reply.status).toBe(200);
    }
    // Binomial(200, 0.5): mean 100, sd ≈ 7; these bounds are more than 7 sd away.
    expect(throttled).toBeGreaterThan(50);
    expect(throttled).toBeLessThan(150);
    expect(await pendingInjections(env.emulator.url)).toMatchObject([{ remaining: 1_000_000 - throttled }]);
  });

  it('lists probability and afterOperation with the pending injections', async () => {
    await injectFault(env.emulator.url, { action: CREATE, afterOperation: true, dropConnection: true, probability: 0.05, times: 3 });
    expect(await pendingInjections(env.emulator.url)).toEqual([
      { id: expect.any(String) as string, action: CREATE, times: 3, remaining: 3, delayMs: 0, dropConnection: true, probability: 0.05, afterOperation: true },
    ]);
  });

  it('applies a certain afterOperation injection queued behind an unlikely one, leaving the unlikely one pending', async () => {
    // 1e-9 practically never fires; the certain one behind it then does.
    await injectFault(env.emulator.url, { action: CREATE, code: 'Throttling', status: 400, probability: 1e-9 });
    await injectFault(env.emulator.url, { action: CREATE, afterOperation: true, code: 'ServiceUnavailable', status: 503 });
    await expectFault(create(env.client, 'behind'), { name: 'ServiceUnavailable', status: 503 });
    expect(await describedSnapshotNames(env.client)).toEqual(['behind']);
    expect(await pendingInjections(env.emulator.url)).toMatchObject([{ remaining: 1 }]);
  });
});

describe('afterOperation and the state file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-lost-answer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('persists the change whose answer was lost, even when shutdown cuts the delayed answer short', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await start({ stateFile });
    const client = sdkClient(first.url);
    try {
      await injectFault(first.url, { action: CREATE, afterOperation: true, code: 'ServiceUnavailable', status: 503, delayMs: 60_000 });
      const call = failure(create(client, 'durable'));
      await waitFor(async () => (await adminCall(first.url, 'GET', '/snapshots/durable')).status === 200, 5000);
      const doc = JSON.parse(await readFile(stateFile, 'utf8')) as { snapshots: { name: string }[] };
      expect(doc.snapshots.map((s) => s.name)).toEqual(['durable']);
      const closing = Date.now();
      await first.close();
      expect(Date.now() - closing).toBeLessThan(3000);
      expect((await call).message).toMatch(/socket hang up|ECONNRESET|other side closed/i);
    } finally {
      client.destroy();
      await first.close();
    }
    const second = await start({ stateFile });
    const again = sdkClient(second.url);
    try {
      expect(await describedSnapshotNames(again)).toEqual(['durable']);
    } finally {
      again.destroy();
      await second.close();
    }
  });
});
