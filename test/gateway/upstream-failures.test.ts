/**
 * Failures AWS does not document for the operation come back in `errors` with a stable code, and
 * nothing of AWS's internals: no SDK class name, no endpoint, no AWS message, no stack trace. The
 * detail goes to the gateway's log with the AWS request id. Reached end to end, through HTTP and
 * the real SDK, by making the emulator misbehave or by pointing the gateway at a closed port.
 */
import { createServer } from 'node:net';
import { startTestGateway, type FaultInjection, type TestGateway } from '../support/gateway';

const CREATE = /* GraphQL */ `
  mutation ($name: String!) {
    createServerlessCacheSnapshot(input: { serverlessCacheSnapshotName: $name, serverlessCacheName: "demo-valkey" }) {
      __typename
    }
  }
`;

let gateway: TestGateway;
let counter = 0;
const nextName = () => `failure-${++counter}`;
beforeAll(async () => {
  gateway = await startTestGateway({ env: { UPSTREAM_REQUEST_TIMEOUT_MS: '300', AWS_MAX_ATTEMPTS: '2' } });
});
afterAll(async () => gateway.close());

async function failWith(injection: FaultInjection) {
  const before = (await gateway.emulator.calls()).CreateServerlessCacheSnapshot ?? 0;
  await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', ...injection });
  const response = await gateway.graphql(CREATE, { name: nextName() });
  const after = (await gateway.emulator.calls()).CreateServerlessCacheSnapshot ?? 0;
  return { ...response, attempts: after - before };
}

/** What a client must never see in an error. */
function expectNothingLeaked(body: unknown, ...secrets: string[]) {
  const text = JSON.stringify(body);
  for (const secret of [gateway.emulator.url, '127.0.0.1', 'ElastiCacheServiceException', 'stacktrace', ' at ', ...secrets]) {
    expect(text).not.toContain(secret);
  }
}

const RETRYABLE = { retryable: true };

it.each([
  ['throttling that outlasts the retries', { code: 'Throttling', status: 400, message: 'Rate exceeded (AWS internal)', times: 2 }, 'UPSTREAM_THROTTLED', 2, RETRYABLE],
  ['a 503 from AWS on every attempt', { code: 'ServiceUnavailable', status: 503, message: 'node i-0abc down', times: 2 }, 'UPSTREAM_UNAVAILABLE', 2, RETRYABLE],
  ['a 500 from AWS on every attempt', { code: 'InternalFailure', status: 500, message: 'NullPointerException at x', times: 2 }, 'UPSTREAM_UNAVAILABLE', 2, RETRYABLE],
  ['access denied by IAM', { code: 'AccessDenied', status: 403, message: 'User arn:aws:iam::1:user/x is not authorized' }, 'UPSTREAM_ACCESS_DENIED', 1, {}],
  ['an invalid access key', { code: 'InvalidClientTokenId', status: 403, message: 'The security token is invalid' }, 'UPSTREAM_ACCESS_DENIED', 1, {}],
  ['an unknown 400 error', { code: 'SomethingNew', status: 400, message: 'brand new AWS text' }, 'INTERNAL_SERVER_ERROR', 1, {}],
  [
    'an ElastiCache fault AWS does not document for this operation',
    { code: 'ServerlessCacheSnapshotNotFoundFault', message: 'Snapshot x not found' },
    'INTERNAL_SERVER_ERROR',
    1,
    {},
  ],
  ['a dropped connection on every attempt', { dropConnection: true, times: 2 }, 'UPSTREAM_UNAVAILABLE', 2, RETRYABLE],
  // Not UPSTREAM_UNAVAILABLE: both attempts were still running at AWS when the gateway stopped
  // waiting (the emulator creates the snapshot after its delay), so "nothing was created" would be
  // false. test/gateway/retry-safe-creation.test.ts settles it with the same idempotency key.
  ['an answer slower than the request timeout on every attempt', { delayMs: 1500, times: 2 }, 'OUTCOME_UNKNOWN', 2, RETRYABLE],
] as [string, FaultInjection, string, number, object][])('%s is %s with a clean message', async (_, injection, code, attempts, hints) => {
  const { status, body, attempts: seen } = await failWith(injection);
  expect(status).toBe(200);
  expect(body.data).toEqual({ createServerlessCacheSnapshot: null });
  expect(body.errors).toHaveLength(1);
  expect(body.errors![0]).toEqual({
    message: expect.any(String),
    path: ['createServerlessCacheSnapshot'],
    locations: expect.any(Array),
    extensions: { code, ...hints },
  });
  expect(seen).toBe(attempts);
  expectNothingLeaked(body, injection.message ?? '\u0000', injection.code ?? '\u0000');
});

it('recovers when a retry succeeds: one throttled attempt is invisible to the client', async () => {
  const { body, attempts } = await failWith({ code: 'Throttling', status: 400, times: 1 });
  expect(attempts).toBe(2);
  expect(body.errors).toBeUndefined();
  expect(body.data).toEqual({ createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
});

it('logs the AWS error name and request id that the client does not see', async () => {
  await failWith({ code: 'AccessDenied', status: 403, message: 'not authorized' });
  const line = gateway.logs.reverse().find((l) => l.msg === 'ElastiCache call failed');
  expect(line).toMatchObject({
    operation: 'CreateServerlessCacheSnapshot',
    awsError: 'AccessDenied',
    awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    httpStatus: 403,
    code: 'UPSTREAM_ACCESS_DENIED',
  });
});

it('UPSTREAM_UNAVAILABLE when nothing listens at the ElastiCache endpoint', async () => {
  // A port that was free a moment ago: the connection is refused.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      server.close(() => resolve(address.port));
    });
  });
  const unreachable = await startTestGateway({ endpointOverride: `http://127.0.0.1:${port}` });
  try {
    const { body } = await unreachable.graphql(CREATE, { name: nextName() });
    // The connection was refused: the request never left, so no describe is needed to say so.
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(JSON.stringify(body)).not.toContain(String(port));
  } finally {
    await unreachable.close();
  }
});
