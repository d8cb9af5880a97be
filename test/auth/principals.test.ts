/** The pieces authentication is built from, one function at a time. */
import { findApiKey, generateApiKey, hashApiKey } from '../../src/auth/api-keys';
import { principalFromClaims } from '../../src/auth/authenticator';
import { CachePatterns } from '../../src/auth/cache-patterns';
import { bearerToken, credentialsFromConnectionParams, credentialsFromRawHeaders } from '../../src/auth/credentials';
import { loadGatewayConfig, type JwtConfig } from '../../src/config';

describe('CachePatterns', () => {
  it('matches * as any run of characters, and nothing else as a wildcard', () => {
    const patterns = new CachePatterns(['billing-*', '*-prod', 'exact.name', 'a+b']);
    expect(['billing-', 'billing-main', 'web-prod', 'exact.name', 'a+b'].every((n) => patterns.matches(n))).toBe(true);
    expect(['billing', 'exactXname', 'web-prod-2', 'aab', 'other'].some((n) => patterns.matches(n))).toBe(false);
  });

  it('compares case-insensitively, as AWS cache names are', () => {
    expect(new CachePatterns(['Billing-*']).matches('BILLING-MAIN')).toBe(true);
  });

  it('matches in linear time: a many-star pattern against a long name answers at once, rightly', () => {
    const patterns = new CachePatterns(['*-*-*-*-prod', 'a*b*c*d*e*f']);
    expect(patterns.matches('-'.repeat(100_000))).toBe(false);
    expect(patterns.matches(`${'-'.repeat(100_000)}prod`)).toBe(true);
    expect(patterns.matches('a-b-c-d-e-f')).toBe(true);
    expect(patterns.matches('a-b-c-d-e-')).toBe(false);
  });

  it('matches nothing without patterns, everything with *', () => {
    expect(new CachePatterns([]).matches('anything')).toBe(false);
    expect(CachePatterns.ALL.matches('anything')).toBe(true);
    expect(CachePatterns.ALL.matchesAll).toBe(true);
    expect(new CachePatterns(['a*']).matchesAll).toBe(false);
  });
});

describe('presented credentials', () => {
  it('keeps every Authorization and x-api-key header, in any case, repeated ones included', () => {
    expect(credentialsFromRawHeaders(['Authorization', 'Bearer a', 'X-API-Key', 'k', 'authorization', 'Bearer b', 'host', 'x'])).toEqual({
      authorization: ['Bearer a', 'Bearer b'],
      apiKey: ['k'],
    });
  });

  it("reads connection_init's payload the same way, and keeps a non-string value as one no one accepts", () => {
    expect(credentialsFromConnectionParams({ Authorization: 'Bearer a', 'x-api-key': 7, other: 'x' })).toEqual({ authorization: ['Bearer a'], apiKey: [''] });
    expect(credentialsFromConnectionParams(undefined)).toEqual({ authorization: [], apiKey: [] });
  });

  it('takes the token of a Bearer value only', () => {
    expect(bearerToken('Bearer abc.def-_.g==')).toBe('abc.def-_.g==');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
  });
});

describe('API keys', () => {
  it('finds a key by its hash, and nothing for another key', () => {
    const key = generateApiKey();
    const entries = [
      { id: 'one', sha256: hashApiKey(generateApiKey()), scopes: [], caches: [] },
      { id: 'two', sha256: hashApiKey(key), scopes: [], caches: [] },
    ];
    expect(findApiKey(entries, key)?.id).toBe('two');
    expect(findApiKey(entries, `${key}x`)).toBeUndefined();
    expect(key).toMatch(/^esgw_[A-Za-z0-9_-]{43}$/);
  });
});

describe('principalFromClaims', () => {
  const config = loadGatewayConfig({ AUTH_JWT_ISSUER: 'https://id.example/', AUTH_JWT_AUDIENCE: 'gw' }).auth.jwt as JwtConfig;

  it('reads scopes from scope and scp (string or array), ignoring scopes it does not know', () => {
    const principal = principalFromClaims({ sub: 'a', scope: 'openid snapshots:read', scp: ['snapshots:write'] }, config, []);
    expect([...principal.grants[0]!.scopes].sort()).toEqual(['snapshots:read', 'snapshots:write']);
    expect([...principalFromClaims({ sub: 'a', scp: 'snapshots:write profile' }, config, []).grants[0]!.scopes]).toEqual(['snapshots:write']);
  });

  it('grants no cache without the caches claim, and refuses a claim that is not a list', () => {
    expect(principalFromClaims({ sub: 'a', scope: 'snapshots:read' }, config, []).grants[0]!.caches.patterns).toEqual([]);
    expect(() => principalFromClaims({ sub: 'a', caches: 'billing-*' }, config, [])).toThrow(/caches claim/);
  });

  it("adds each of the token's groups' entries as a grant of its own, from the claims named in the configuration", () => {
    const custom = { ...config, cachesClaim: 'https://gw/caches', groupsClaim: 'cognito:groups' };
    const principal = principalFromClaims(
      { sub: 'a', 'https://gw/caches': ['web-*'], 'cognito:groups': ['billing'] },
      custom,
      [
        { group: 'billing', scopes: ['snapshots:write'], caches: ['billing-*'] },
        { group: 'other', scopes: ['snapshots:read'], caches: ['*'] },
      ],
    );
    expect(principal.grants.map((g) => [[...g.scopes], g.caches.patterns])).toEqual([
      [[], ['web-*']],
      [['snapshots:write'], ['billing-*']],
    ]);
  });

  it('refuses a subject that is not a string', () => {
    expect(() => principalFromClaims({ sub: 42 } as never, config, [])).toThrow(/sub claim/);
  });

  it('is valid until exp plus the clock tolerance', () => {
    expect(principalFromClaims({ sub: 'a', exp: 1000 }, config, []).expiresAt).toBe(1_005_000);
  });
});
