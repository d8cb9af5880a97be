/**
 * The gateway's and the emulator's configuration, read from the environment once at start-up.
 *
 * This is the only module that reads `process.env` (ESLint enforces it). Everything else is handed
 * a validated, typed object, so a bad value fails the start with a message naming the variable and
 * the value, instead of surfacing later in a request.
 */
import proxyaddr from '@fastify/proxy-addr';
import { z } from 'zod';

export type Backend = 'embedded' | 'aws';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The account id the emulator puts in every ARN. Fixed so ARNs are stable across runs. */
export const EMULATOR_ACCOUNT_ID = '123456789012';

export interface EmulatorConfig {
  /** Loopback interface the emulator binds to. */
  host: string;
  /** TCP port; 0 picks a free one (the embedded default). */
  port: number;
  region: string;
  /** How long a new snapshot stays `creating` before it becomes `available`. */
  snapshotAvailableAfterMs: number;
  /** How long a deleted snapshot stays `deleting` before it is gone. */
  snapshotDeleteAfterMs: number;
  /** How long an export keeps a snapshot `exporting` before it is `available` again. */
  snapshotExportAfterMs: number;
  /** How long a new serverless cache stays `creating` before it becomes `available`. */
  cacheAvailableAfterMs: number;
  /** Snapshots one serverless cache may take per rolling 24 hours (AWS's default quota is 24). */
  dailySnapshotQuotaPerCache: number;
  /** Serverless caches the account may have in the region (AWS's default quota is 40). */
  serverlessCacheQuota: number;
  /** File the emulator's state is saved to and restored from; in memory only when absent. */
  stateFile: string | undefined;
}

export interface UpstreamConfig {
  /** AWS region; absent when the SDK is to take it from the AWS_PROFILE's configuration. */
  region: string | undefined;
  /** Explicit ElastiCache endpoint (`AWS_ENDPOINT_URL_ELASTICACHE`); the SDK's default when absent. */
  endpoint: string | undefined;
  /** Total attempts per call, the first included (the SDK's `maxAttempts`). */
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  /** Time allowed to open a TCP (and TLS) connection to the upstream. */
  connectionTimeoutMs: number;
  /** Time allowed for one attempt, from request sent to response received. */
  requestTimeoutMs: number;
  /** Time allowed for one call including all its retries. */
  callDeadlineMs: number;
  /** Upper bound of concurrent keep-alive sockets to the upstream. */
  maxSockets: number;
}

export interface GraphQLConfig {
  /** Schema introspection (GraphiQL, codegen against the live server). */
  introspection: boolean;
  /** Serve the Apollo Sandbox landing page at GET /graphql. */
  landingPage: boolean;
  /** Serve the reference console's built files (console/dist) at /console. */
  console: boolean;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** Largest accepted document, in lexical tokens (graphql-js `maxTokens`). */
  maxTokens: number;
  /** Browser origins allowed to call the gateway (CORS); empty: same origin only; `*`: any. */
  corsOrigins: string[];
  /** Deepest selection nesting a document may have (fragments flattened). */
  maxDepth: number;
  /** Aliases in a document (`__typename` aliases are free). */
  maxAliases: number;
  /** Directives in a document. */
  maxDirectives: number;
  /** Highest cost of one operation (each field 1, lists multiplied by their `first`). */
  maxCost: number;
  /** Whether a rejection names the limit and the document's figure. */
  exposeLimits: boolean;
  /** Registered documents (hash → text, GraphQL Code Generator's persisted-documents format). */
  trustedDocumentsFile: string | undefined;
  /** Refuse every document not in `trustedDocumentsFile`, over HTTP and WebSocket alike. */
  trustedDocumentsOnly: boolean;
}

export interface LimitsConfig {
  /** Proxies whose `X-Forwarded-For` names the client (addresses, CIDR ranges, or `loopback` etc.). */
  trustedProxies: string[];
  /** Mutation fields one principal may run per minute (a token bucket of this size, refilled per minute). */
  mutationsPerMinute: number;
  /** Read cost points one principal may spend per minute. */
  readCostPerMinute: number;
  /** Active subscriptions on one WebSocket. */
  subscriptionsPerConnection: number;
  /** Open WebSockets of one principal. */
  connectionsPerPrincipal: number;
  /** AWS calls one request may have in flight at once. */
  upstreamConcurrencyPerRequest: number;
  /** AWS calls one principal may have in flight at once, over all its requests. */
  upstreamConcurrencyPerPrincipal: number;
}

export interface MetricsConfig {
  /** The metrics listener's port; undefined when `METRICS_PORT=off`. */
  port: number | undefined;
  host: string;
}

export interface ReadConfig {
  /**
   * Batch and de-duplicate upstream reads per request with DataLoader. Turning it off makes every
   * field its own AWS call; it exists to measure what batching saves, not for production.
   */
  batching: boolean;
  /**
   * From this many distinct cache names in one batch, one DescribeServerlessCaches listing is
   * cheaper in AWS calls than one call per name (an account holds at most a few pages of caches).
   */
  cacheListingThreshold: number;
  /**
   * How long a successful AWS read is kept and served to later identical reads; 0: not kept (reads
   * in flight at the same moment are shared either way). Changes made by anything but this
   * process can show that much later; this process's own writes drop what is kept.
   */
  sharedCacheMs: number;
}

export interface ExportConfig {
  /** Bucket-name patterns (`*` wildcards) snapshots may be exported to; empty: none. */
  s3Buckets: string[];
}

export interface IdempotencyConfig {
  /** Idempotency records one process keeps (24 h each); the oldest are forgotten first beyond this. */
  maxRecords: number;
}

export interface LifecycleConfig {
  /**
   * How long a stop (SIGTERM, SIGINT) lets running requests finish before cutting them. At least
   * the call deadline, so one AWS call that has started can always deliver its answer.
   */
  shutdownGraceMs: number;
  /** How old the last ElastiCache check may be before a readiness probe makes another one. */
  readyCheckIntervalMs: number;
  /** Time allowed for that check, retries included; kept short because a probe waits for it. */
  readyCheckTimeoutMs: number;
}

export interface SubscriptionConfig {
  /** First interval between two polls of a watched snapshot. */
  pollIntervalMs: number;
  /** Longest interval the poll backs off to while nothing changes or AWS throttles. */
  maxPollIntervalMs: number;
  /**
   * With Redis: how long the replica polling a snapshot holds that job without renewing it. A
   * replica that dies hands the polls to another within this time.
   */
  pollLeaseMs: number;
}

/** The Redis replicas share rate limits, idempotency records and snapshot polls on. */
export interface RedisConfig {
  /** `redis://` or `rediss://` (TLS), with credentials and database number if any. */
  url: string;
  /** Put before every key and channel name, so several deployments can share one Redis. */
  keyPrefix: string;
  /** Time allowed to open the connection. */
  connectTimeoutMs: number;
  /** Time allowed for one command; past it, the store counts Redis as unreachable. */
  commandTimeoutMs: number;
}

/** Signature algorithms a token may use: asymmetric only, so holding the public key proves nothing. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtConfig {
  /** The issuer (`iss`) tokens must name; its discovery document gives the key set. */
  issuer: string;
  /** The audience (`aud`) tokens must name: this gateway. */
  audience: string;
  /** The key set's URL, when it is not to be found through the issuer's discovery document. */
  jwksUrl: string | undefined;
  algorithms: JwtAlgorithm[];
  /** Claim holding the cache-name patterns a token grants. */
  cachesClaim: string;
  /** Claim holding the groups that `AUTH_POLICY_FILE` maps to scopes and caches. */
  groupsClaim: string;
  /** Time allowed for fetching the discovery document or the key set. */
  fetchTimeoutMs: number;
  /** Shortest time between two key-set fetches caused by tokens with unknown key ids. */
  jwksCooldownMs: number;
}

export interface AuthConfig {
  /** Bearer tokens from an OIDC issuer; absent when not configured. */
  jwt: JwtConfig | undefined;
  /** JSON file of API keys (hashes, scopes, caches); absent when not configured. */
  apiKeysFile: string | undefined;
  /** JSON file mapping token groups to scopes and caches. */
  policyFile: string | undefined;
  /**
   * No credential is asked for: every caller is an anonymous principal with every scope and cache.
   * True with no authentication configured on the embedded emulator, or with `AUTH_DISABLED=true`.
   */
  anonymous: boolean;
  /** `AUTH_DISABLED=true`: something in front of the gateway authenticates callers. */
  disabled: boolean;
}

export interface GatewayConfig {
  host: string;
  port: number;
  backend: Backend;
  logLevel: LogLevel;
  upstream: UpstreamConfig;
  graphql: GraphQLConfig;
  reads: ReadConfig;
  idempotency: IdempotencyConfig;
  exports: ExportConfig;
  subscriptions: SubscriptionConfig;
  auth: AuthConfig;
  limits: LimitsConfig;
  metrics: MetricsConfig;
  lifecycle: LifecycleConfig;
  /** Shared state across replicas; undefined: each process keeps its own, in memory. */
  redis: RedisConfig | undefined;
  /** Used only when `backend` is `embedded`. */
  emulator: EmulatorConfig;
}

type Env = Record<string, string | undefined>;

/** Thrown when the environment holds a value the gateway cannot run with. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = z.url({ protocol: /^https?$/ });
const redisUrl = z.url({ protocol: /^rediss?$/, error: 'a redis:// or rediss:// URL, such as redis://127.0.0.1:6379' });
/** `*`, or a comma-separated list of origins exactly as browsers send them (`https://app.example.com`). */
const origins = z
  .string()
  .transform((list) => list.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
  .refine((list) => list.every((o) => o === '*' || (URL.canParse(o) && new URL(o).origin === o)), {
    message: 'each entry must be * or an origin such as https://app.example.com (scheme, host and port only)',
  });

/** A comma-separated list. */
const list = z.string().transform((text) => text.split(',').map((item) => item.trim()).filter((item) => item.length > 0));

const jwtAlgorithms = z
  .string()
  .transform((list) => list.split(',').map((a) => a.trim()).filter((a) => a.length > 0))
  .refine((list) => list.length > 0 && list.every((a) => (JWT_ALGORITHMS as readonly string[]).includes(a)), {
    message: `each entry must be one of ${JWT_ALGORITHMS.join(', ')} (no HMAC, no none: the gateway holds no shared secret)`,
  })
  .transform((list) => list as JwtAlgorithm[]);
/** A JWT claim name: the claim is read from the token's top level. */
const claimName = z.string().regex(/^[^\s]+$/, 'a claim name, without spaces');

/** Each variable: its schema and default. Unknown variables are ignored, as in any environment. */
const variables = {
  PORT: port.default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ELASTICACHE_BACKEND: z.enum(['embedded', 'aws']).default('embedded'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AWS_REGION: z.string().min(1).optional(),
  AWS_ENDPOINT_URL_ELASTICACHE: url.optional(),
  AWS_MAX_ATTEMPTS: positiveInt.max(10).default(3),
  AWS_RETRY_MODE: z.enum(['standard', 'adaptive']).default('standard'),
  UPSTREAM_CONNECT_TIMEOUT_MS: positiveInt.default(2000),
  UPSTREAM_REQUEST_TIMEOUT_MS: positiveInt.default(10000),
  UPSTREAM_CALL_DEADLINE_MS: positiveInt.default(25000),
  UPSTREAM_MAX_SOCKETS: positiveInt.default(50),
  GRAPHQL_INTROSPECTION: bool.optional(),
  GRAPHQL_LANDING_PAGE: bool.optional(),
  CONSOLE_ENABLED: bool.optional(),
  GRAPHQL_BODY_LIMIT_BYTES: positiveInt.default(100_000),
  GRAPHQL_MAX_TOKENS: positiveInt.default(5_000),
  CORS_ORIGINS: origins.default([]),
  GRAPHQL_MAX_DEPTH: positiveInt.default(8),
  GRAPHQL_MAX_ALIASES: nonNegativeInt.default(15),
  GRAPHQL_MAX_DIRECTIVES: nonNegativeInt.default(50),
  GRAPHQL_MAX_COST: positiveInt.default(2_000),
  GRAPHQL_EXPOSE_LIMITS: bool.default(true),
  TRUSTED_DOCUMENTS_FILE: z.string().min(1).optional(),
  TRUSTED_DOCUMENTS_ONLY: bool.default(false),
  TRUSTED_PROXIES: list
    .refine(
      (entries) => {
        try {
          proxyaddr.compile(entries);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'each entry must be an IP address, a CIDR range (10.0.0.0/8), or loopback, linklocal, uniquelocal' },
    )
    .default([]),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: positiveInt.default(30),
  RATE_LIMIT_READ_COST_PER_MINUTE: positiveInt.default(20_000),
  SUBSCRIPTION_MAX_PER_CONNECTION: positiveInt.default(10),
  SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL: positiveInt.default(20),
  UPSTREAM_MAX_CONCURRENCY_PER_REQUEST: positiveInt.default(10),
  UPSTREAM_MAX_CONCURRENCY_PER_PRINCIPAL: positiveInt.default(20),
  METRICS_PORT: z.union([z.literal('off'), port]).default(9464),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  UPSTREAM_BATCHING: bool.default(true),
  UPSTREAM_CACHE_LISTING_THRESHOLD: positiveInt.default(2),
  // A microcache: a minute already lets another replica's change go unseen for a minute.
  UPSTREAM_READ_CACHE_MS: nonNegativeInt.max(60_000).default(0),
  IDEMPOTENCY_MAX_RECORDS: positiveInt.default(10_000),
  EXPORT_S3_BUCKETS: list.optional(),
  SUBSCRIPTION_POLL_INTERVAL_MS: positiveInt.default(2_000),
  SUBSCRIPTION_POLL_MAX_INTERVAL_MS: positiveInt.default(30_000),
  SUBSCRIPTION_POLL_LEASE_MS: positiveInt.min(300).default(10_000),
  REDIS_URL: redisUrl.optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[\x21-\x7e]{1,64}$/, '1 to 64 printable ASCII characters without spaces').default('ecsg:'),
  REDIS_CONNECT_TIMEOUT_MS: positiveInt.default(2_000),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(1_000),
  AUTH_JWT_ISSUER: url.optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  AUTH_JWT_JWKS_URL: url.optional(),
  AUTH_JWT_ALGORITHMS: jwtAlgorithms.default(['RS256', 'PS256', 'ES256', 'EdDSA']),
  AUTH_JWT_CACHES_CLAIM: claimName.default('caches'),
  AUTH_JWT_GROUPS_CLAIM: claimName.default('groups'),
  AUTH_JWKS_TIMEOUT_MS: positiveInt.default(2_000),
  AUTH_JWKS_COOLDOWN_MS: nonNegativeInt.default(30_000),
  AUTH_API_KEYS_FILE: z.string().min(1).optional(),
  AUTH_POLICY_FILE: z.string().min(1).optional(),
  AUTH_DISABLED: bool.default(false),
  DEV_ISSUER_PORT: port.default(4010),
  DEV_ISSUER_AUDIENCE: z.string().min(1).default('elasticache-snapshot-gateway'),
  SHUTDOWN_GRACE_MS: positiveInt.optional(),
  READY_CHECK_INTERVAL_MS: nonNegativeInt.default(5_000),
  READY_CHECK_TIMEOUT_MS: positiveInt.default(2_000),
  EMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  EMULATOR_PORT: port.optional(),
  EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: nonNegativeInt.default(10_000),
  EMULATOR_SNAPSHOT_DELETE_AFTER_MS: nonNegativeInt.default(5_000),
  EMULATOR_SNAPSHOT_EXPORT_AFTER_MS: nonNegativeInt.default(10_000),
  EMULATOR_CACHE_AVAILABLE_AFTER_MS: nonNegativeInt.default(15_000),
  EMULATOR_DAILY_SNAPSHOT_QUOTA: nonNegativeInt.default(24),
  EMULATOR_SERVERLESS_CACHE_QUOTA: nonNegativeInt.default(40),
  EMULATOR_STATE_FILE: z.string().min(1).optional(),
} as const;

type Variables = { [K in keyof typeof variables]: z.output<(typeof variables)[K]> };

function parseVariables(env: Env): Variables {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(variables)) {
    // An empty variable (`FOO=`) means "not set", as shells and .env files commonly produce it.
    const raw = env[name] === '' ? undefined : env[name];
    const result = (schema as z.ZodType).safeParse(raw);
    if (result.success) {
      out[name] = result.data;
    } else {
      const reason = result.error.issues.map((i) => i.message).join('; ');
      problems.push(`${name}=${JSON.stringify(raw)}: ${reason}`);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return out as Variables;
}

const DEFAULT_REGION = 'us-east-1';
/** Added to the call deadline for the default grace: time to write the answer after the last AWS call. */
const SHUTDOWN_MARGIN_MS = 5_000;
const STANDALONE_EMULATOR_PORT = 4567;

function emulatorConfig(v: Variables, defaultPort: number): EmulatorConfig {
  return {
    host: v.EMULATOR_HOST,
    port: v.EMULATOR_PORT ?? defaultPort,
    region: v.AWS_REGION ?? DEFAULT_REGION,
    snapshotAvailableAfterMs: v.EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS,
    snapshotDeleteAfterMs: v.EMULATOR_SNAPSHOT_DELETE_AFTER_MS,
    snapshotExportAfterMs: v.EMULATOR_SNAPSHOT_EXPORT_AFTER_MS,
    cacheAvailableAfterMs: v.EMULATOR_CACHE_AVAILABLE_AFTER_MS,
    dailySnapshotQuotaPerCache: v.EMULATOR_DAILY_SNAPSHOT_QUOTA,
    serverlessCacheQuota: v.EMULATOR_SERVERLESS_CACHE_QUOTA,
    stateFile: v.EMULATOR_STATE_FILE,
  };
}

/** The gateway's configuration. Throws `ConfigurationError` naming every bad variable. */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const v = parseVariables(env);
  const backend = v.ELASTICACHE_BACKEND;
  if (backend === 'aws' && v.AWS_REGION === undefined && env.AWS_PROFILE === undefined) {
    // The SDK could still find a region in ~/.aws/config's default profile; we only insist on an
    // explicit choice so that a gateway never talks to an unexpected region.
    throw new ConfigurationError([
      'ELASTICACHE_BACKEND=aws needs AWS_REGION (or AWS_PROFILE naming a profile with a region)',
    ]);
  }
  if (v.SUBSCRIPTION_POLL_MAX_INTERVAL_MS < v.SUBSCRIPTION_POLL_INTERVAL_MS) {
    throw new ConfigurationError([
      `SUBSCRIPTION_POLL_MAX_INTERVAL_MS=${v.SUBSCRIPTION_POLL_MAX_INTERVAL_MS} is shorter than SUBSCRIPTION_POLL_INTERVAL_MS=${v.SUBSCRIPTION_POLL_INTERVAL_MS}`,
    ]);
  }
  if (v.UPSTREAM_CALL_DEADLINE_MS < v.UPSTREAM_REQUEST_TIMEOUT_MS) {
    throw new ConfigurationError([
      `UPSTREAM_CALL_DEADLINE_MS=${v.UPSTREAM_CALL_DEADLINE_MS} is shorter than UPSTREAM_REQUEST_TIMEOUT_MS=${v.UPSTREAM_REQUEST_TIMEOUT_MS}`,
    ]);
  }
  if (v.SUBSCRIPTION_POLL_LEASE_MS < 3 * v.REDIS_COMMAND_TIMEOUT_MS) {
    // The holder renews every third of the lease: a renewal that times out must leave time for the next.
    throw new ConfigurationError([
      `SUBSCRIPTION_POLL_LEASE_MS=${v.SUBSCRIPTION_POLL_LEASE_MS} is shorter than 3 × REDIS_COMMAND_TIMEOUT_MS=${v.REDIS_COMMAND_TIMEOUT_MS}: the poller could lose its lease to one slow renewal`,
    ]);
  }
  const shutdownGraceMs = v.SHUTDOWN_GRACE_MS ?? v.UPSTREAM_CALL_DEADLINE_MS + SHUTDOWN_MARGIN_MS;
  if (shutdownGraceMs < v.UPSTREAM_CALL_DEADLINE_MS) {
    throw new ConfigurationError([
      `SHUTDOWN_GRACE_MS=${shutdownGraceMs} is shorter than UPSTREAM_CALL_DEADLINE_MS=${v.UPSTREAM_CALL_DEADLINE_MS}: a stop could cut an AWS call that has started, whose change would then happen unreported`,
    ]);
  }
  if (v.TRUSTED_DOCUMENTS_ONLY && v.TRUSTED_DOCUMENTS_FILE === undefined) {
    throw new ConfigurationError(['TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS_FILE: with no registered document, every request would be refused']);
  }
  const embedded = backend === 'embedded';
  return {
    auth: authConfig(v, embedded),
    host: v.HOST,
    port: v.PORT,
    backend,
    logLevel: v.LOG_LEVEL,
    upstream: {
      region: v.AWS_REGION ?? (embedded ? DEFAULT_REGION : undefined),
      endpoint: embedded ? undefined : v.AWS_ENDPOINT_URL_ELASTICACHE,
      maxAttempts: v.AWS_MAX_ATTEMPTS,
      retryMode: v.AWS_RETRY_MODE,
      connectionTimeoutMs: v.UPSTREAM_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: v.UPSTREAM_REQUEST_TIMEOUT_MS,
      callDeadlineMs: v.UPSTREAM_CALL_DEADLINE_MS,
      maxSockets: v.UPSTREAM_MAX_SOCKETS,
    },
    graphql: {
      // Open by default only on the embedded emulator, where there is nothing to hide.
      introspection: v.GRAPHQL_INTROSPECTION ?? embedded,
      landingPage: v.GRAPHQL_LANDING_PAGE ?? embedded,
      console: v.CONSOLE_ENABLED ?? embedded,
      bodyLimitBytes: v.GRAPHQL_BODY_LIMIT_BYTES,
      maxTokens: v.GRAPHQL_MAX_TOKENS,
      corsOrigins: v.CORS_ORIGINS,
      maxDepth: v.GRAPHQL_MAX_DEPTH,
      maxAliases: v.GRAPHQL_MAX_ALIASES,
      maxDirectives: v.GRAPHQL_MAX_DIRECTIVES,
      maxCost: v.GRAPHQL_MAX_COST,
      exposeLimits: v.GRAPHQL_EXPOSE_LIMITS,
      trustedDocumentsFile: v.TRUSTED_DOCUMENTS_FILE,
      trustedDocumentsOnly: v.TRUSTED_DOCUMENTS_ONLY,
    },
    limits: {
      trustedProxies: v.TRUSTED_PROXIES,
      mutationsPerMinute: v.RATE_LIMIT_MUTATIONS_PER_MINUTE,
      readCostPerMinute: v.RATE_LIMIT_READ_COST_PER_MINUTE,
      subscriptionsPerConnection: v.SUBSCRIPTION_MAX_PER_CONNECTION,
      connectionsPerPrincipal: v.SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL,
      upstreamConcurrencyPerRequest: v.UPSTREAM_MAX_CONCURRENCY_PER_REQUEST,
      upstreamConcurrencyPerPrincipal: v.UPSTREAM_MAX_CONCURRENCY_PER_PRINCIPAL,
    },
    metrics: { port: v.METRICS_PORT === 'off' ? undefined : v.METRICS_PORT, host: v.METRICS_HOST },
    reads: {
      batching: v.UPSTREAM_BATCHING,
      cacheListingThreshold: v.UPSTREAM_CACHE_LISTING_THRESHOLD,
      sharedCacheMs: v.UPSTREAM_READ_CACHE_MS,
    },
    idempotency: { maxRecords: v.IDEMPOTENCY_MAX_RECORDS },
    // The emulator's seeded bucket by default; against AWS, none until the operator names them.
    exports: { s3Buckets: v.EXPORT_S3_BUCKETS ?? (embedded ? ['demo-exports'] : []) },
    subscriptions: {
      pollIntervalMs: v.SUBSCRIPTION_POLL_INTERVAL_MS,
      maxPollIntervalMs: v.SUBSCRIPTION_POLL_MAX_INTERVAL_MS,
      pollLeaseMs: v.SUBSCRIPTION_POLL_LEASE_MS,
    },
    redis:
      v.REDIS_URL === undefined
        ? undefined
        : { url: v.REDIS_URL, keyPrefix: v.REDIS_KEY_PREFIX, connectTimeoutMs: v.REDIS_CONNECT_TIMEOUT_MS, commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS },
    lifecycle: {
      shutdownGraceMs,
      readyCheckIntervalMs: v.READY_CHECK_INTERVAL_MS,
      readyCheckTimeoutMs: v.READY_CHECK_TIMEOUT_MS,
    },
    // The embedded emulator takes any free loopback port unless one is asked for.
    emulator: emulatorConfig(v, 0),
  };
}

function authConfig(v: Variables, embedded: boolean): AuthConfig {
  const problems: string[] = [];
  const jwtOnly = ['AUTH_JWT_AUDIENCE', 'AUTH_JWT_JWKS_URL', 'AUTH_POLICY_FILE'] as const;
  if (v.AUTH_JWT_ISSUER === undefined) {
    for (const name of jwtOnly) if (v[name] !== undefined) problems.push(`${name} is set but AUTH_JWT_ISSUER is not: it only applies to bearer tokens`);
  } else if (v.AUTH_JWT_AUDIENCE === undefined) {
    problems.push('AUTH_JWT_ISSUER needs AUTH_JWT_AUDIENCE: the audience tokens must name for this gateway');
  }
  const configured = v.AUTH_JWT_ISSUER !== undefined || v.AUTH_API_KEYS_FILE !== undefined;
  if (v.AUTH_DISABLED && configured) {
    problems.push('AUTH_DISABLED=true contradicts AUTH_JWT_ISSUER / AUTH_API_KEYS_FILE: either authenticate here or say something in front does');
  }
  if (!embedded && !configured && !v.AUTH_DISABLED) {
    problems.push(
      'ELASTICACHE_BACKEND=aws needs authentication: set AUTH_JWT_ISSUER (with AUTH_JWT_AUDIENCE) or AUTH_API_KEYS_FILE, or AUTH_DISABLED=true if something in front of the gateway authenticates callers',
    );
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return {
    jwt:
      v.AUTH_JWT_ISSUER === undefined || v.AUTH_JWT_AUDIENCE === undefined
        ? undefined
        : {
            issuer: v.AUTH_JWT_ISSUER,
            audience: v.AUTH_JWT_AUDIENCE,
            jwksUrl: v.AUTH_JWT_JWKS_URL,
            algorithms: v.AUTH_JWT_ALGORITHMS,
            cachesClaim: v.AUTH_JWT_CACHES_CLAIM,
            groupsClaim: v.AUTH_JWT_GROUPS_CLAIM,
            fetchTimeoutMs: v.AUTH_JWKS_TIMEOUT_MS,
            jwksCooldownMs: v.AUTH_JWKS_COOLDOWN_MS,
          },
    apiKeysFile: v.AUTH_API_KEYS_FILE,
    policyFile: v.AUTH_POLICY_FILE,
    anonymous: !configured,
    disabled: v.AUTH_DISABLED,
  };
}

/** The standalone emulator's configuration (`npm run emulator`). */
export function loadEmulatorConfig(env: Env = process.env): EmulatorConfig {
  return emulatorConfig(parseVariables(env), STANDALONE_EMULATOR_PORT);
}

export interface DevIssuerConfig {
  port: number;
  /** The audience its tokens name: what the gateway's AUTH_JWT_AUDIENCE must be. */
  audience: string;
}

/** The development issuer's configuration (`npm run dev-issuer`). */
export function loadDevIssuerConfig(env: Env = process.env): DevIssuerConfig {
  const v = parseVariables(env);
  return { port: v.DEV_ISSUER_PORT, audience: v.DEV_ISSUER_AUDIENCE };
}

/**
 * Whether traces are on (README "Traces"). OpenTelemetry's SDK reads its own variables (endpoint,
 * protocol, sampler, service name); only the decision to load it is made here, so that with traces
 * off no OpenTelemetry SDK or instrumentation is required. On: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, or `OTEL_TRACES_EXPORTER` names an exporter. Off:
 * neither, `OTEL_TRACES_EXPORTER=none` (the SDK's reading: a list starting with `none`), or
 * `OTEL_SDK_DISABLED=true`.
 */
export function tracingEnabled(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && name !== 'null');
  if (exporters.length > 0) return exporters[0] !== 'none';
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  return set('OTEL_EXPORTER_OTLP_ENDPOINT') || set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
}
