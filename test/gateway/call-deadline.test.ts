/**
 * UPSTREAM_CALL_DEADLINE_MS bounds a whole AWS call, its retries and the SDK's waits between them
 * included: when it passes while the SDK sleeps before a retry (AWS asked for a long Retry-After),
 * the client gets its answer then, and the retry never reaches AWS. End to end, through HTTP and the
 * real SDK to the emulator.
 */
import { startTestGateway, type TestGateway } from '../support/gateway';

const DEADLINE_MS = 1000;
/** What AWS asks the SDK to wait before retrying: well past the deadline. */
const RETRY_AFTER_S = 3;
/** Scheduling slack on a shared machine; an overrun by the backoff would be ~2 s more. */
const MARGIN_MS = 700;

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({
    env: { UPSTREAM_REQUEST_TIMEOUT_MS: '500', UPSTREAM_CALL_DEADLINE_MS: String(DEADLINE_MS), AWS_MAX_ATTEMPTS: '5' },
  });
});
afterAll(() => gateway.close());
afterEach(() => gateway.emulator.clearInjections());

async function callsOf(action: string): Promise<number> {
  return (await gateway.emulator.calls())[action] ?? 0;
}

/** Every attempt is throttled, slowly, with a Retry-After longer than the deadline. */
async function throttleEveryAttempt(action: string): Promise<void> {
  await gateway.emulator.inject({ action, code: 'Throttling', status: 400, delayMs: 200, retryAfterSeconds: RETRY_AFTER_S, times: 5 });
}

/** Waits until the SDK's retry would have been sent, had the deadline not stopped it. */
const pastTheRetry = (started: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, started + RETRY_AFTER_S * 1000 + 700 - performance.now())));

it('ends a read at its deadline while a retry is pending, and sends nothing after it', async () => {
  await throttleEveryAttempt('DescribeServerlessCaches');
  const before = await callsOf('DescribeServerlessCaches');
  const started = performance.now();
  const { body } = await gateway.graphql('{ serverlessCache(name: "demo-valkey") { status } }');
  const elapsed = performance.now() - started;
  expect(body.data).toEqual({ serverlessCache: null });
  expect(body.errors?.map((e) => e.extensions)).toEqual([{ code: 'UPSTREAM_UNAVAILABLE', retryable: true }]);
  expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
  expect(elapsed).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  expect((await callsOf('DescribeServerlessCaches')) - before).toBe(1);
  await pastTheRetry(started);
  expect((await callsOf('DescribeServerlessCaches')) - before).toBe(1);
});

it('ends a create at its deadline, says nothing was created, and never sends the retry that would create it', async () => {
  await throttleEveryAttempt('CreateServerlessCacheSnapshot');
  const before = await callsOf('CreateServerlessCacheSnapshot');
  const started = performance.now();
  const { body } = await gateway.graphql(
    'mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "past-deadline", serverlessCacheName: "demo-valkey"}) { __typename } }',
  );
  const elapsed = performance.now() - started;
  // The one attempt AWS answered refused it: the gateway knows nothing was created.
  expect(body.errors?.map((e) => e.extensions)).toEqual([{ code: 'UPSTREAM_UNAVAILABLE', retryable: true }]);
  expect(elapsed).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  await pastTheRetry(started);
  expect((await callsOf('CreateServerlessCacheSnapshot')) - before).toBe(1);
  expect(await gateway.emulator.snapshot('past-deadline')).toBeNull();
});
