import { ConfigurationError, loadEmulatorConfig, loadGatewayConfig } from '../src/config';

describe('loadGatewayConfig', () => {
  it('runs on the embedded emulator on port 4000 with nothing set', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      port: 4000,
      backend: 'embedded',
      upstream: { region: 'us-east-1', endpoint: undefined, maxAttempts: 3, requestTimeoutMs: 10000, connectionTimeoutMs: 2000 },
      graphql: { introspection: true, landingPage: true },
      emulator: { host: '127.0.0.1', port: 0, stateFile: undefined, dailySnapshotQuotaPerCache: 24 },
    });
  });

  it('closes introspection and the landing page by default against AWS', () => {
    const config = loadGatewayConfig({ ELASTICACHE_BACKEND: 'aws', AWS_REGION: 'eu-west-1' });
    expect(config.graphql).toMatchObject({ introspection: false, landingPage: false });
    expect(config.upstream.region).toBe('eu-west-1');
  });

  it('passes an explicit AWS endpoint through against AWS, but never to the embedded emulator', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_ELASTICACHE: 'http://localhost:4567' };
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
    expect(() => loadGatewayConfig({ ELASTICACHE_BACKEND: 'aws' })).toThrow(ConfigurationError);
    expect(() => loadGatewayConfig({ ELASTICACHE_BACKEND: 'aws', AWS_PROFILE: 'prod' })).not.toThrow();
  });

  it('refuses a call deadline shorter than one attempt', () => {
    expect(() => loadGatewayConfig({ UPSTREAM_CALL_DEADLINE_MS: '500', UPSTREAM_REQUEST_TIMEOUT_MS: '1000' })).toThrow(/UPSTREAM_CALL_DEADLINE_MS=500/);
  });

  it('reads CORS origins as a list, and refuses anything that is not an origin', () => {
    expect(loadGatewayConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).graphql.corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
    expect(loadGatewayConfig({}).graphql.corsOrigins).toEqual([]);
    expect(() => loadGatewayConfig({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS="https:\/\/a.example\/path"/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadGatewayConfig({ PORT: '' }).port).toBe(4000);
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
});
