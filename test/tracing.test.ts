/**
 * Traces (README "Traces"), in the real process: instrumentations patch modules as Node requires
 * them, which Jest's module registry bypasses. A small OTLP/HTTP receiver on loopback decodes what
 * the gateway exports (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tracingEnabled } from '../src/config';
import { currentTraceId, inRootSpan } from '../src/observability/tracing';
import { startProcess, stopProcess } from './support/process';

jest.setTimeout(60_000);

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: Record<string, string | number | boolean | undefined>;
  scope: string;
  resource: Record<string, string | number | boolean | undefined>;
}

interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: { scope?: { name?: string }; spans?: (Omit<ExportedSpan, 'attributes' | 'scope' | 'resource'> & { attributes?: { key: string; value: OtlpValue }[] })[] }[];
  }[];
}

function value(v: OtlpValue): string | number | boolean | undefined {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return JSON.stringify((v.arrayValue.values ?? []).map(value));
  return undefined;
}

function attributes(list: { key: string; value: OtlpValue }[] | undefined): Record<string, string | number | boolean | undefined> {
  return Object.fromEntries((list ?? []).map(({ key, value: v }) => [key, value(v)]));
}

/** An OTLP/HTTP JSON trace receiver: `POST /v1/traces`. */
class Receiver {
  readonly spans: ExportedSpan[] = [];
  /** Every export request as sent, to look for what must not be in any of it. */
  readonly bodies: string[] = [];
  readonly contentTypes = new Set<string>();
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.contentTypes.add(request.headers['content-type'] ?? '');
        if (request.method === 'POST' && request.url === '/v1/traces') {
          const text = Buffer.concat(chunks).toString('utf8');
          this.bodies.push(text);
          const body = JSON.parse(text) as OtlpRequest;
          for (const resourceSpans of body.resourceSpans ?? []) {
            const resource = attributes(resourceSpans.resource?.attributes);
            for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
              for (const span of scopeSpans.spans ?? []) {
                this.spans.push({ ...span, attributes: attributes(span.attributes), scope: scopeSpans.scope?.name ?? '', resource });
              }
            }
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((listening) => this.server.listen(0, '127.0.0.1', listening));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((closed) => this.server.close(() => closed()));
  }

  async waitFor(predicate: (spans: ExportedSpan[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.spans)) {
      if (Date.now() > deadline) throw new Error(`spans not exported in time; got: ${this.spans.map((s) => s.name).join(', ')}`);
      await new Promise((wake) => setTimeout(wake, 50));
    }
  }
}

/**
 * Preloaded with `--require`: at exit, writes the OpenTelemetry modules the process had required
 * (any file under node_modules/@opentelemetry/) to the file named by TRACING_TEST_REPORT.
 */
function preloadReporter(): { preload: string; report: string } {
  const directory = mkdtempSync(join(tmpdir(), 'gateway-tracing-'));
  const preload = join(directory, 'report-opentelemetry-modules.js');
  const report = join(directory, 'report.json');
  writeFileSync(
    preload,
    `const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const loaded = Object.keys(require.cache).filter((file) => file.includes('/node_modules/@opentelemetry/'));
  writeFileSync(process.env.TRACING_TEST_REPORT, JSON.stringify(loaded));
});
`,
  );
  return { preload, report };
}

function loadedOpenTelemetryPackages(report: string): string[] {
  const files = JSON.parse(readFileSync(report, 'utf8')) as string[];
  return [...new Set(files.map((file) => /\/node_modules\/(@opentelemetry\/[^/]+)\//.exec(file)?.[1] ?? file))].sort();
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const FAILING_TRACE_ID = '5b8efff798038103d269b633813fc60d';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
/** The variable's value: it must appear in no span attribute. */
const CACHE_NAME = 'demo-valkey';
const QUERY = 'query SnapshotsOfCache($cache: String) { serverlessCacheSnapshots(serverlessCacheName: $cache, first: 5) { nodes { serverlessCacheSnapshotName } } }';

async function ask(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: QUERY, operationName: 'SnapshotsOfCache', variables: { cache: CACHE_NAME } }),
  });
}

describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  it('exports one trace per request: the incoming trace id, HTTP → GraphQL operation → resolver → AWS call, and no variable values', async () => {
    const receiver = new Receiver();
    const endpoint = await receiver.listen();
    const { preload, report } = preloadReporter();
    const started = startProcess({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'gateway-under-test',
      NODE_OPTIONS: `--require ${preload}`,
      TRACING_TEST_REPORT: report,
    });
    try {
      const ready = await started.line((l) => l.msg === 'gateway ready');
      const response = await ask(String(ready.url), { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { serverlessCacheSnapshots: { nodes: [] } } });

      await receiver.waitFor((spans) => spans.some((s) => s.traceId === TRACE_ID && s.kind === 2 && s.name === 'POST /graphql'));
      // The request's log lines carry its trace id.
      expect(await started.line((l) => l.msg === 'graphql operation')).toMatchObject({ traceId: TRACE_ID, requestId: expect.any(String) });
      const trace = receiver.spans.filter((s) => s.traceId === TRACE_ID);
      const byId = new Map(trace.map((s) => [s.spanId, s]));
      const parentOf = (span: ExportedSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);

      // The HTTP server span continues the caller's trace: its parent is the caller's span.
      const server = trace.find((s) => s.name === 'POST /graphql')!;
      expect(server).toMatchObject({ kind: 2, parentSpanId: CALLER_SPAN_ID, scope: '@opentelemetry/instrumentation-http' });
      expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200 });
      expect(server.resource['service.name']).toBe('gateway-under-test');

      const operation = trace.find((s) => s.name === 'query SnapshotsOfCache')!;
      expect(parentOf(operation)).toBe(server);
      expect(operation.attributes).toMatchObject({ 'graphql.operation.name': 'SnapshotsOfCache', 'graphql.operation.type': 'query' });
      expect(operation.attributes['graphql.document.hash']).toMatch(/^[0-9a-f]{64}$/);

      const resolver = trace.find((s) => s.name === 'graphql.resolve serverlessCacheSnapshots')!;
      expect(parentOf(resolver)).toBe(operation);
      expect(resolver.attributes).toMatchObject({ 'graphql.field.name': 'serverlessCacheSnapshots', 'graphql.field.path': 'serverlessCacheSnapshots' });
      // One resolver span per root field: the fields under it (nodes, names) have none.
      expect(trace.filter((s) => s.name.startsWith('graphql.resolve'))).toHaveLength(1);

      const aws = trace.find((s) => s.name === 'ElastiCache.DescribeServerlessCacheSnapshots')!;
      expect(parentOf(aws)).toBe(resolver);
      expect(aws).toMatchObject({ kind: 3, scope: '@opentelemetry/instrumentation-aws-sdk' });
      expect(aws.attributes).toMatchObject({ 'rpc.system': 'aws-api', 'rpc.service': 'ElastiCache', 'rpc.method': 'DescribeServerlessCacheSnapshots', 'aws.attempts': 1 });
      expect(aws.attributes['aws.request.id']).toEqual(expect.stringMatching(/\S/));
      expect(aws.status?.code ?? 0).not.toBe(2);

      // Each attempt's HTTP request to AWS is a client span under the call.
      const attempts = trace.filter((s) => s.kind === 3 && s.scope === '@opentelemetry/instrumentation-http' && parentOf(s) === aws);
      expect(attempts).toHaveLength(1);

      // The embedded emulator's side is not traced, and neither is anything outside the request.
      expect(trace.filter((s) => s.kind === 2)).toEqual([server]);

      // No variable's value in any attribute of any exported span.
      for (const span of receiver.spans) {
        for (const [key, v] of Object.entries(span.attributes)) expect(`${key}=${String(v)}`).not.toContain(CACHE_NAME);
      }

      // A failed AWS call: AWS's message names the snapshot asked for (a variable's value). The
      // span says it failed and with which error, and carries no message anywhere.
      const secret = 'secret-snapshot-7c1e';
      const failed = await fetch(String(ready.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${FAILING_TRACE_ID}-${CALLER_SPAN_ID}-01` },
        body: JSON.stringify({ query: 'query Lookup($name: String!) { serverlessCacheSnapshot(name: $name) { arn } }', variables: { name: secret } }),
      });
      expect(await failed.json()).toEqual({ data: { serverlessCacheSnapshot: null } });
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === FAILING_TRACE_ID && s.name === 'ElastiCache.DescribeServerlessCacheSnapshots'));
      const failedCall = receiver.spans.find((s) => s.traceId === FAILING_TRACE_ID && s.name === 'ElastiCache.DescribeServerlessCacheSnapshots')!;
      expect(failedCall.status?.code).toBe(2);
      expect(failedCall.attributes['error.type']).toBe('ServerlessCacheSnapshotNotFoundFault');
      await new Promise((settle) => setTimeout(settle, 300));
      expect(receiver.bodies.filter((text) => text.includes(secret))).toEqual([]);
      expect(receiver.contentTypes).toEqual(new Set(['application/json']));
    } finally {
      await stopProcess(started);
      await receiver.close();
    }
    // The same reporter sees the SDK when tracing is on: the "off" test's empty list means something.
    expect(loadedOpenTelemetryPackages(report)).toEqual(expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/instrumentation-graphql']));
  });
});

describe('with tracing off', () => {
  it.each([
    ['nothing configured', {}],
    ['OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }],
    ['OTEL_TRACES_EXPORTER=none', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }],
  ])('%s: serves, and requires no OpenTelemetry SDK or instrumentation', async (_case, env: Record<string, string>) => {
    const { preload, report } = preloadReporter();
    const started = startProcess({ ...env, NODE_OPTIONS: `--require ${preload}`, TRACING_TEST_REPORT: report });
    try {
      const ready = await started.line((l) => l.msg === 'gateway ready');
      const response = await ask(String(ready.url), { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` });
      expect(response.status).toBe(200);
    } finally {
      await stopProcess(started);
    }
    expect(await started.exit).toBe(0);
    // Only the API, which prom-client requires for exemplars whatever the gateway does (no-op alone).
    expect(loadedOpenTelemetryPackages(report)).toEqual(['@opentelemetry/api']);
  });
});

describe('tracingEnabled', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
  ])('%j → %s', (env: Record<string, string>, enabled) => {
    expect(tracingEnabled(env)).toBe(enabled);
  });

  it('leaves the helpers inert when tracing was not started', async () => {
    expect(currentTraceId()).toBeUndefined();
    await expect(inRootSpan('work', (span) => (span.setAttribute('a', 1), Promise.resolve(42)))).resolves.toBe(42);
  });
});
