/** The gateway's HTTP surface, as a browser, a front end or a load balancer meets it. */
import { startTestGateway, type TestGateway } from '../support/gateway';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway.close());

it('answers health checks', async () => {
  const response = await fetch(`${gateway.url}/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

it('gives every response a request id, the key to its log lines', async () => {
  const { headers } = await gateway.graphql('{ __typename }');
  expect(headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

it('tells HTTP caches not to store GraphQL answers', async () => {
  const { headers } = await gateway.graphql('{ __typename }');
  expect(headers.get('cache-control')).toBe('no-store');
});

it('counts upstream calls per operation in its Prometheus metrics, on the metrics listener only', async () => {
  await gateway.graphql('{ serverlessCaches { nodes { serverlessCacheName } } serverlessCacheSnapshot(name: "metrics-probe") { arn } }');
  const text = await (await fetch(`${gateway.gateway.metricsUrl}/metrics`)).text();
  expect(text).toMatch(/elasticache_upstream_calls_total\{operation="DescribeServerlessCaches",outcome="success"\} [1-9]/);
  // The AWS layer counts what AWS answered: an unknown name is its ServerlessCacheSnapshotNotFoundFault,
  // even though the lookup reads it as null.
  expect(text).toMatch(/elasticache_upstream_calls_total\{operation="DescribeServerlessCacheSnapshots",outcome="fault"\} [1-9]/);
  expect(gateway.gateway.metricsUrl).not.toBe(gateway.url);
  expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
  expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
});

it('refuses a form POST that a cross-site page could send (CSRF prevention)', async () => {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(response.status).toBe(400);
});

it('does not run mutations over GET', async () => {
  const query = encodeURIComponent('mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "g", serverlessCacheName: "demo-valkey"}) { __typename } }');
  const response = await fetch(`${gateway.url}/graphql?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
  expect(response.status).toBe(405);
  expect(await gateway.emulator.calls()).not.toHaveProperty('CreateServerlessCacheSnapshot');
});

it('answers a syntax error with GRAPHQL_PARSE_FAILED and a 400', async () => {
  const { status, body } = await gateway.graphql('{ serverlessCacheSnapshot(');
  expect(status).toBe(400);
  expect(body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
});

it('does not suggest field names to a client that guesses (schema details stay hidden)', async () => {
  const { body } = await gateway.graphql('{ serverlessCacheSnapshots { arn } }');
  expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(body.errors?.[0]?.message).not.toMatch(/Did you mean/);
});

it('refuses a document larger than the token limit before executing it', async () => {
  const huge = `{ ${'__typename '.repeat(6000)}}`;
  const { status, body } = await gateway.graphql(huge);
  expect(status).toBe(400);
  expect(body.errors?.[0]?.message).toMatch(/5000 tokens/);
});

it('refuses a body over the size limit with 413', async () => {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(200_000) } }),
  });
  expect(response.status).toBe(413);
});

it('serves introspection on the embedded emulator, so GraphiQL and codegen work out of the box', async () => {
  const { body } = await gateway.graphql('{ __schema { mutationType { name } } }');
  expect(body.data).toEqual({ __schema: { mutationType: { name: 'Mutation' } } });
});

it('closes introspection when configured so', async () => {
  const closed = await startTestGateway({ env: { GRAPHQL_INTROSPECTION: 'false' } });
  try {
    const { body } = await closed.graphql('{ __schema { mutationType { name } } }');
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  } finally {
    await closed.close();
  }
});

describe('CORS', () => {
  let open: TestGateway;
  beforeAll(async () => {
    open = await startTestGateway({ env: { CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' } });
  });
  afterAll(async () => open.close());

  const preflight = (target: TestGateway, origin: string) =>
    fetch(`${target.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('answers the preflight of a listed front-end origin', async () => {
    const response = await preflight(open, 'https://app.example.com');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('lets a listed origin read the answer and its request id', async () => {
    const response = await fetch(`${open.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(response.headers.get('access-control-expose-headers')).toBe('x-request-id, www-authenticate, retry-after, etag');
  });

  it('gives no CORS permission to an origin not listed, nor to any by default', async () => {
    expect((await preflight(open, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(gateway, 'https://app.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
