/**
 * Traces (OpenTelemetry), off unless configured: README "Traces".
 *
 * `startTracing(true)` starts the OpenTelemetry Node SDK with the maintained instrumentations for
 * `http` (the request, continuing an incoming W3C `traceparent`, and each HTTP attempt to AWS),
 * `graphql` (the operation and one span per root field's resolver) and the AWS SDK v3 (each call).
 * The SDK itself reads the standard OTEL_* variables (endpoint, protocol, sampler, service name,
 * batch delay). Instrumentations patch modules as they are required, so this must run before
 * anything else is imported: src/observability/start-tracing.ts, the first import of src/main.ts.
 *
 * Off, the gateway requires nothing from `@opentelemetry/*`: the SDK, the instrumentations and the API
 * are required lazily, in the "on" branch only, and the helpers below cost one `undefined` check.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as Api from '@opentelemetry/api';

/** The default `service.name`; OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES override it. */
export const DEFAULT_SERVICE_NAME = 'elasticache-snapshot-gateway';
/** The tracer of the spans written by hand here (AWS instrumentations name their own). */
const TRACER_NAME = 'elasticache-snapshot-gateway';
/** How long a stop waits for the last spans to be exported (a collector that is down must not hold the exit). */
const SHUTDOWN_TIMEOUT_MS = 3_000;
/** Probes and scrapes: a trace each would drown the requests that matter. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);
/**
 * Query parameters whose value never reaches a span: GraphQL over GET carries the document and the
 * variables in the query string (the instrumentation's own defaults, signatures, are kept).
 */
const REDACTED_QUERY_PARAMETERS = [
  'query',
  'variables',
  'extensions',
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];

export interface Tracing {
  readonly enabled: boolean;
  /** Exports the spans still buffered; resolves within a few seconds whatever the collector does. */
  shutdown(): Promise<void>;
}

/** A span handed to code that may run with tracing off: then every method does nothing. */
export interface SpanHandle {
  setAttribute(key: string, value: string | number | boolean): void;
  /** Marks the span failed, naming the error's type (`error.type`), never its message. */
  fail(error: unknown): void;
}

const NOOP_HANDLE: SpanHandle = { setAttribute: () => undefined, fail: () => undefined };

let api: typeof Api | undefined;

/** The part of an SDK span processor this module relies on (types only: nothing loads when off). */
interface SpanProcessor {
  onStart(span: unknown, context: unknown): void;
  onEnd(span: unknown): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** What an ended span holds that may carry an error's message. */
interface EndedSpan {
  status: { code: number; message?: string };
  events: { name: string; attributes?: Record<string, unknown> }[];
}

/**
 * Wraps an exporting processor so that no error message leaves the process: the instrumentations
 * put `err.message` in the span status and in `exception` events, and those messages name caches
 * and snapshots taken from a request's variables, or carry AWS's own text (ARNs, account ids) that
 * clients never see. What stays: that it failed, and the error's type.
 */
function withoutMessages(inner: SpanProcessor): SpanProcessor {
  return {
    onStart: (span, context) => inner.onStart(span, context),
    onEnd: (span) => {
      const ended = span as EndedSpan;
      if (ended.status.message !== undefined) ended.status = { code: ended.status.code };
      for (const event of ended.events) {
        if (event.name !== 'exception' || event.attributes === undefined) continue;
        delete event.attributes['exception.message'];
        // A stack trace begins with the message.
        delete event.attributes['exception.stacktrace'];
      }
      inner.onEnd(span);
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
}

/**
 * Starts tracing when `enabled` (src/config.ts `tracingEnabled()` decides from the OTEL_* variables).
 * Call once, before the modules to instrument are required.
 */
export function startTracing(enabled: boolean): Tracing {
  if (!enabled) return { enabled: false, shutdown: () => Promise.resolve() };
  /* eslint-disable @typescript-eslint/no-require-imports -- required only when tracing is on */
  const sdkNode = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { AwsInstrumentation } = require('@opentelemetry/instrumentation-aws-sdk') as typeof import('@opentelemetry/instrumentation-aws-sdk');
  api = require('@opentelemetry/api') as typeof Api;
  /* eslint-enable @typescript-eslint/no-require-imports */

  // The exporters the OTEL_* variables ask for, as the SDK itself would build them, each behind a
  // processor that removes error messages (see `withoutMessages`). sdk-node does not export this
  // helper from its index; the version is pinned exactly.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getSpanProcessorsFromEnv } = require('@opentelemetry/sdk-node/build/src/utils') as {
    getSpanProcessorsFromEnv: (meterProvider: undefined) => SpanProcessor[];
  };
  const { resources } = sdkNode;
  const sdk = new sdkNode.NodeSDK({
    spanProcessors: getSpanProcessorsFromEnv(undefined).map(withoutMessages),
    // The base resource; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (detected) take precedence.
    resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.name': DEFAULT_SERVICE_NAME })),
    // Traces only: metrics are Prometheus (src/observability/metrics.ts), logs are pino on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: ignoreIncomingRequest,
        redactedQueryParamsServer: REDACTED_QUERY_PARAMETERS,
        applyCustomAttributesOnSpan: nameServerSpan,
      }),
      new GraphQLInstrumentation({
        // Literal values in documents are replaced by "*", and variables are never recorded.
        allowValues: false,
        // One resolver span per root field: that is where the gateway calls AWS (nested fields'
        // DataLoader calls run under it too). Every field of every list item would be thousands.
        depth: 1,
        mergeItems: true,
        responseHook: addDocumentHash,
      }),
      new AwsInstrumentation({
        responseHook: (span, { response }) => addAwsMetadata(span, (response.data as MaybeMetadata | undefined)?.$metadata),
        exceptionHook: (span, _request, error) => {
          const failure = error as MaybeMetadata & { name?: unknown };
          addAwsMetadata(span, failure.$metadata);
          if (typeof failure.name === 'string') span.setAttribute('error.type', failure.name);
        },
      }),
    ],
  });
  sdk.start();
  return {
    enabled: true,
    shutdown: () =>
      new Promise<void>((done) => {
        const timer = setTimeout(done, SHUTDOWN_TIMEOUT_MS);
        timer.unref();
        sdk.shutdown().then(
          () => done(),
          () => done(),
        );
      }).then(() => undefined),
  };
}

/** The trace id of the active span (for log lines), or undefined when there is none or tracing is off. */
export function currentTraceId(): string | undefined {
  const context = api?.trace.getActiveSpan()?.spanContext();
  return context !== undefined && api?.isSpanContextValid(context) ? context.traceId : undefined;
}

/** The span id of the active span, or undefined when there is none or tracing is off. */
export function currentSpanId(): string | undefined {
  const context = api?.trace.getActiveSpan()?.spanContext();
  return context !== undefined && api?.isSpanContextValid(context) ? context.spanId : undefined;
}

/**
 * Runs `work` in a new root span (its own trace: work shared by several callers, such as one poll
 * serving every watcher of a snapshot, belongs to none of their traces). Spans started inside, such
 * as the AWS call's, are its children. Off: runs `work` with a handle that does nothing.
 */
export function inRootSpan<T>(name: string, work: (span: SpanHandle) => Promise<T>): Promise<T> {
  const otel = api;
  if (otel === undefined) return work(NOOP_HANDLE);
  return otel.trace.getTracer(TRACER_NAME).startActiveSpan(name, { root: true }, async (span) => {
    const handle: SpanHandle = {
      setAttribute: (key, value) => void span.setAttribute(key, value),
      fail: (error) => {
        span.setStatus({ code: otel.SpanStatusCode.ERROR });
        span.setAttribute('error.type', error instanceof Error ? errorType(error) : typeof error);
      },
    };
    try {
      return await work(handle);
    } catch (error) {
      handle.fail(error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function errorType(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}

interface MaybeMetadata {
  $metadata?: { requestId?: unknown; attempts?: unknown };
}

/** The AWS instrumentation records the request id of successes only, and never the attempts. */
function addAwsMetadata(span: Api.Span, metadata: MaybeMetadata['$metadata']): void {
  if (typeof metadata?.requestId === 'string') span.setAttribute('aws.request.id', metadata.requestId);
  if (typeof metadata?.attempts === 'number') span.setAttribute('aws.attempts', metadata.attempts);
}

/**
 * `graphql.document.hash`: SHA-256 of the operation's `graphql.source` (the document with literal
 * values replaced by "*"), so operations of one shape group together. The instrumentation has no
 * hook that sees the document; the execute span's own attribute is the document it recorded.
 */
function addDocumentHash(span: Api.Span): void {
  const source = (span as Api.Span & { attributes?: Record<string, unknown> }).attributes?.['graphql.source'];
  if (typeof source === 'string') span.setAttribute('graphql.document.hash', createHash('sha256').update(source, 'utf8').digest('hex'));
}

/**
 * Not traced: probes and scrapes, and the embedded emulator's side of the AWS calls (it listens in
 * this process; a SigV4 signature is what only AWS requests carry), which real AWS would not show.
 */
function ignoreIncomingRequest(request: IncomingMessage): boolean {
  const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
  if (request.method === 'GET' && UNTRACED_PATHS.has(path)) return true;
  return request.headers.authorization?.startsWith('AWS4-HMAC-SHA256') === true;
}

/**
 * `http.route` and the span name `POST /graphql`: the instrumentation names a server span after the
 * method only (the route comes from a framework instrumentation, and Fastify's would bring a second
 * `@opentelemetry/instrumentation` version). A path the gateway answered (not 404) is a route: few.
 */
function nameServerSpan(span: Api.Span, request: unknown, response: unknown): void {
  const incoming = request as Partial<IncomingMessage>;
  const status = (response as Partial<ServerResponse>).statusCode;
  if (typeof incoming.url !== 'string' || status === undefined || status === 404) return;
  const path = incoming.url.split('?', 1)[0] ?? '/';
  span.setAttribute('http.route', path);
  span.updateName(`${incoming.method ?? 'GET'} ${path}`);
}
