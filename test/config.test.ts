import { ConfigurationError, loadEmulatorConfig, loadGatewayConfig } from '../src/config';

describe('loadGatewayConfig', () => {
  it('runs on the embedded emulator on port 4000 with nothing set', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      port: 4000,
      backend: 'embedded',
      upstream: { region: 'us-east-1', endpoint: undefined, maxAttempts: 3, requestTimeoutMs: 10000, connectionTimeoutMs: 2000 },
      graphql: { introspection: true, landingPage: true, console: true },
      emulator: { host: '127.0.0.1', port: 0, stateFile: undefined, dailySnapshotQuotaPerCache: 24 },
    });
  });

  it('closes introspection and the landing page by default against AWS', () => {
    const config = loadGatewayConfig({ ELASTICACHE_BACKEND: 'aws', AUTH_DISABLED: 'true', AWS_REGION: 'eu-west-1' });
    expect(config.graphql).toMatchObject({ introspection: false, landingPage: false, console: false });
    expect(config.upstream.region).toBe('eu-west-1');
  });

  it('serves the console against AWS only when CONSOLE_ENABLED says so', () => {
    const env = { ELASTICACHE_BACKEND: 'aws', AUTH_DISABLED: 'true', AWS_REGION: 'eu-west-1' };
    expect(loadGatewayConfig({ ...env, CONSOLE_ENABLED: 'true' }).graphql.console).toBe(true);
    expect(loadGatewayConfig({ CONSOLE_ENABLED: 'false' }).graphql.console).toBe(false);
  });

  it('passes an explicit AWS endpoint through against AWS, but never to the embedded emulator', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_ELASTICACHE: 'http://localhost:4567', AUTH_DISABLED: 'true' };
    expect(loadGatewayConfig({ ...env, ELASTICACHE_BACKEND: 'aws' }).upstream.endpoint).toBe('http://localhost:4567');
    expect(loadGatewayConfig(env).upstream.endpoint).toBeUndefined();
  });

  it('names every bad variable and its value', () => {
    expect(() => loadGatewayConfig({ PORT: 'eighty', ELASTICACHE_BACKEND: 'localstack', GRAPHQL_INTROSPECTION: 'yes' })).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^PORT="eighty": /),
          expect.stringMatching(/^ELASTICACHE_BACKEND="localstack": /),
          expect.stringMatching(/^GRAPHQL_INTROSPECTION="yes": /),
        ],
      }),
    );
  });

  it('refuses AWS without a region, rather than guessing one', () => {
    expect(() => loadGatewayConfig({ ELASTICACHE_BACKEND: 'aws', AUTH_DISABLED: 'true' })).toThrow(/AWS_REGION/);
    expect(() => loadGatewayConfig({ ELASTICACHE_BACKEND: 'aws', AUTH_DISABLED: 'true', AWS_PROFILE: 'prod' })).not.toThrow();
  });

  it('refuses a call deadline shorter than one attempt', () => {
    expect(() => loadGatewayConfig({ UPSTREAM_CALL_DEADLINE_MS: '500', UPSTREAM_REQUEST_TIMEOUT_MS: '1000' })).toThrow(/UPSTREAM_CALL_DEADLINE_MS=500/);
  });

  it('keeps no AWS read by default, and a read for at most a minute when asked', () => {
    expect(loadGatewayConfig({}).reads.sharedCacheMs).toBe(0);
    expect(loadGatewayConfig({ UPSTREAM_READ_CACHE_MS: '250' }).reads.sharedCacheMs).toBe(250);
    expect(() => loadGatewayConfig({ UPSTREAM_READ_CACHE_MS: '60001' })).toThrow(/UPSTREAM_READ_CACHE_MS="60001"/);
    expect(() => loadGatewayConfig({ UPSTREAM_READ_CACHE_MS: '-1' })).toThrow(/UPSTREAM_READ_CACHE_MS="-1"/);
  });

  it('runs any document unless told to run registered ones only, which needs the manifest', () => {
    expect(loadGatewayConfig({}).graphql).toMatchObject({ trustedDocumentsFile: undefined, trustedDocumentsOnly: false });
    expect(loadGatewayConfig({ TRUSTED_DOCUMENTS_FILE: 'docs.json', TRUSTED_DOCUMENTS_ONLY: 'true' }).graphql).toMatchObject({
      trustedDocumentsFile: 'docs.json',
      trustedDocumentsOnly: true,
    });
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS_ONLY: 'true' })).toThrow(/TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS_FILE/);
  });

  it('reads CORS origins as a list, and refuses anything that is not an origin', () => {
    expect(loadGatewayConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).graphql.corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
    expect(loadGatewayConfig({}).graphql.corsOrigins).toEqual([]);
    expect(() => loadGatewayConfig({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS="https:\/\/a.example\/path"/);
  });

  it('reads trusted proxies as a list, and refuses what is not an address, a range or a known name', () => {
    expect(loadGatewayConfig({ TRUSTED_PROXIES: '10.0.0.0/8, loopback' }).limits.trustedProxies).toEqual(['10.0.0.0/8', 'loopback']);
    expect(() => loadGatewayConfig({ TRUSTED_PROXIES: 'proxy.example.com' })).toThrow(/TRUSTED_PROXIES="proxy.example.com"/);
  });

  it('gives a stop the call deadline and 5 s more by default, and refuses a grace shorter than the call deadline', () => {
    expect(loadGatewayConfig({}).lifecycle.shutdownGraceMs).toBe(30_000);
    expect(loadGatewayConfig({ UPSTREAM_CALL_DEADLINE_MS: '40000', UPSTREAM_REQUEST_TIMEOUT_MS: '10000' }).lifecycle.shutdownGraceMs).toBe(45_000);
    expect(loadGatewayConfig({ SHUTDOWN_GRACE_MS: '25000' }).lifecycle.shutdownGraceMs).toBe(25_000);
    expect(() => loadGatewayConfig({ SHUTDOWN_GRACE_MS: '10000' })).toThrow(/SHUTDOWN_GRACE_MS=10000 is shorter than UPSTREAM_CALL_DEADLINE_MS=25000/);
    expect(() => loadGatewayConfig({ SHUTDOWN_GRACE_MS: '0' })).toThrow(/SHUTDOWN_GRACE_MS="0"/);
  });

  it('checks readiness against AWS at most every 5 s by default, each check within 2 s', () => {
    expect(loadGatewayConfig({}).lifecycle).toMatchObject({ readyCheckIntervalMs: 5_000, readyCheckTimeoutMs: 2_000 });
    expect(loadGatewayConfig({ READY_CHECK_INTERVAL_MS: '0', READY_CHECK_TIMEOUT_MS: '500' }).lifecycle).toMatchObject({ readyCheckIntervalMs: 0, readyCheckTimeoutMs: 500 });
    expect(() => loadGatewayConfig({ READY_CHECK_INTERVAL_MS: '-1' })).toThrow(/READY_CHECK_INTERVAL_MS="-1"/);
    expect(() => loadGatewayConfig({ READY_CHECK_TIMEOUT_MS: '0' })).toThrow(/READY_CHECK_TIMEOUT_MS="0"/);
  });

  it('keeps state in memory without REDIS_URL, and shares it on Redis with one', () => {
    expect(loadGatewayConfig({}).redis).toBeUndefined();
    expect(loadGatewayConfig({}).subscriptions.pollLeaseMs).toBe(10_000);
    expect(loadGatewayConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'ecsg:',
      connectTimeoutMs: 2_000,
      commandTimeoutMs: 1_000,
    });
    const tls = loadGatewayConfig({ REDIS_URL: 'rediss://:secret@cache.example.com:6380/2', REDIS_KEY_PREFIX: 'prod-gw:', REDIS_COMMAND_TIMEOUT_MS: '250' });
    expect(tls.redis).toMatchObject({ url: 'rediss://:secret@cache.example.com:6380/2', keyPrefix: 'prod-gw:', commandTimeoutMs: 250 });
  });

  it('refuses a Redis URL of another scheme, a prefix with spaces, and a poll lease one slow renewal could lose', () => {
    expect(() => loadGatewayConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL="http:\/\/127.0.0.1:6379": a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => loadGatewayConfig({ REDIS_URL: '127.0.0.1:6379' })).toThrow(/REDIS_URL=/);
    expect(() => loadGatewayConfig({ REDIS_KEY_PREFIX: 'my gateway' })).toThrow(/REDIS_KEY_PREFIX="my gateway"/);
    expect(() => loadGatewayConfig({ SUBSCRIPTION_POLL_LEASE_MS: '2000', REDIS_COMMAND_TIMEOUT_MS: '1000' })).toThrow(/SUBSCRIPTION_POLL_LEASE_MS=2000 is shorter than 3 × REDIS_COMMAND_TIMEOUT_MS=1000/);
    expect(loadGatewayConfig({ SUBSCRIPTION_POLL_LEASE_MS: '3000', REDIS_COMMAND_TIMEOUT_MS: '1000' }).subscriptions.pollLeaseMs).toBe(3_000);
  });

  it('treats an empty variable as unset', () => {
    expect(loadGatewayConfig({ PORT: '' }).port).toBe(4000);
  });
});

describe('authentication settings', () => {
  const issuer = { AUTH_JWT_ISSUER: 'https://login.example.com/', AUTH_JWT_AUDIENCE: 'snapshot-gateway' };

  it('asks for no credential on the embedded emulator when nothing is configured', () => {
    expect(loadGatewayConfig({}).auth).toEqual({ jwt: undefined, apiKeysFile: undefined, policyFile: undefined, anonymous: true, disabled: false });
  });

  it('refuses to start against AWS without authentication, naming the variables that would give it', () => {
    const start = () => loadGatewayConfig({ ELASTICACHE_BACKEND: 'aws', AWS_REGION: 'eu-west-1' });
    expect(start).toThrow(ConfigurationError);
    expect(start).toThrow(/AUTH_JWT_ISSUER.*AUTH_API_KEYS_FILE.*AUTH_DISABLED=true/);
  });

  it('starts against AWS with tokens, with API keys, or with authentication disabled on purpose', () => {
    const aws = { ELASTICACHE_BACKEND: 'aws', AWS_REGION: 'eu-west-1' };
    expect(loadGatewayConfig({ ...aws, ...issuer }).auth).toMatchObject({ anonymous: false, jwt: { issuer: issuer.AUTH_JWT_ISSUER } });
    expect(loadGatewayConfig({ ...aws, AUTH_API_KEYS_FILE: '/etc/keys.json' }).auth).toMatchObject({ anonymous: false, apiKeysFile: '/etc/keys.json' });
    expect(loadGatewayConfig({ ...aws, AUTH_DISABLED: 'true' }).auth).toMatchObject({ anonymous: true });
  });

  it('takes asymmetric algorithms only, by default RS256, PS256, ES256 and EdDSA', () => {
    expect(loadGatewayConfig(issuer).auth.jwt).toMatchObject({
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      cachesClaim: 'caches',
      groupsClaim: 'groups',
      fetchTimeoutMs: 2000,
      jwksCooldownMs: 30000,
    });
    expect(loadGatewayConfig({ ...issuer, AUTH_JWT_ALGORITHMS: 'ES384, RS512' }).auth.jwt?.algorithms).toEqual(['ES384', 'RS512']);
    expect(() => loadGatewayConfig({ ...issuer, AUTH_JWT_ALGORITHMS: 'RS256,HS256' })).toThrow(/AUTH_JWT_ALGORITHMS="RS256,HS256"/);
    expect(() => loadGatewayConfig({ ...issuer, AUTH_JWT_ALGORITHMS: 'none' })).toThrow(/AUTH_JWT_ALGORITHMS/);
  });

  it('needs an audience with an issuer, and an issuer for every token setting', () => {
    expect(() => loadGatewayConfig({ AUTH_JWT_ISSUER: issuer.AUTH_JWT_ISSUER })).toThrow(/AUTH_JWT_AUDIENCE/);
    expect(() => loadGatewayConfig({ AUTH_JWT_AUDIENCE: 'x' })).toThrow(/AUTH_JWT_AUDIENCE is set but AUTH_JWT_ISSUER is not/);
    expect(() => loadGatewayConfig({ AUTH_POLICY_FILE: '/etc/policy.json' })).toThrow(/AUTH_POLICY_FILE is set but AUTH_JWT_ISSUER is not/);
    expect(() => loadGatewayConfig({ AUTH_JWT_JWKS_URL: 'https://login.example.com/keys' })).toThrow(/AUTH_JWT_JWKS_URL/);
  });

  it('refuses AUTH_DISABLED together with credentials, which would say two things at once', () => {
    expect(() => loadGatewayConfig({ ...issuer, AUTH_DISABLED: 'true' })).toThrow(/AUTH_DISABLED=true contradicts/);
  });
});

describe('loadEmulatorConfig', () => {
  it('listens on 4567 by default when standalone', () => {
    expect(loadEmulatorConfig({})).toMatchObject({ port: 4567, host: '127.0.0.1', region: 'us-east-1' });
  });
  it('takes the port, state file, quota and creation delay from the environment', () => {
    expect(
      loadEmulatorConfig({ EMULATOR_PORT: '5000', EMULATOR_STATE_FILE: '/tmp/s.json', EMULATOR_DAILY_SNAPSHOT_QUOTA: '5', EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '0' }),
    ).toEqual(expect.objectContaining({ port: 5000, stateFile: '/tmp/s.json', dailySnapshotQuotaPerCache: 5, snapshotAvailableAfterMs: 0 }));
  });

  it('takes the lifecycle delays and the cache quota from the environment, with defaults', () => {
    expect(loadEmulatorConfig({})).toMatchObject({ snapshotDeleteAfterMs: 5000, snapshotExportAfterMs: 10_000, cacheAvailableAfterMs: 15_000, serverlessCacheQuota: 40 });
    expect(
      loadEmulatorConfig({
        EMULATOR_SNAPSHOT_DELETE_AFTER_MS: '0',
        EMULATOR_SNAPSHOT_EXPORT_AFTER_MS: '250',
        EMULATOR_CACHE_AVAILABLE_AFTER_MS: '1000',
        EMULATOR_SERVERLESS_CACHE_QUOTA: '5',
      }),
    ).toMatchObject({ snapshotDeleteAfterMs: 0, snapshotExportAfterMs: 250, cacheAvailableAfterMs: 1000, serverlessCacheQuota: 5 });
    expect(() => loadEmulatorConfig({ EMULATOR_SNAPSHOT_DELETE_AFTER_MS: '-1' })).toThrow(/EMULATOR_SNAPSHOT_DELETE_AFTER_MS="-1"/);
  });
});
