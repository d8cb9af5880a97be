/**
 * Turns what a caller presented into a `Principal`, or refuses it. The HTTP route and the WebSocket
 * handshake both call `authenticate`, so both doors apply the same rules:
 *
 * - with no authentication configured (the embedded emulator) or `AUTH_DISABLED=true`, every caller
 *   is anonymous, with every scope and every cache, and presented credentials are not looked at;
 * - otherwise exactly one credential must be presented, a bearer token or an API key, and it must be
 *   valid; anything else is refused, with a reason for the log that never reaches the client.
 */
import type { JWTPayload } from 'jose';
import type { AuthConfig, JwtConfig } from '../config';
import { findApiKey } from './api-keys';
import { CachePatterns } from './cache-patterns';
import { bearerToken, type PresentedCredentials } from './credentials';
import { CLOCK_TOLERANCE_SECONDS, InvalidTokenError, IssuerUnavailableError, JwtVerifier } from './jwt';
import { anonymousPrincipal, isScope, type Grant, type Principal, type Scope } from './principal';
import { apiKeyEntries, groupPolicyEntries, readPolicyFile, type ApiKeyEntry, type GroupPolicyEntry } from './policy-files';

/**
 * Why a caller was refused. `missing`, `invalid` and `expired` are the caller's to fix (HTTP 401);
 * `unavailable` means the token's issuer could not be reached, so nothing is known yet (HTTP 503).
 */
export type AuthenticationFailure = 'missing' | 'invalid' | 'expired' | 'unavailable';

export class AuthenticationError extends Error {
  constructor(
    readonly failure: AuthenticationFailure,
    /** For the log: what was wrong. Never a token or a key. */
    readonly reason: string,
    /** What the client is told instead of the failure's usual words, when it can act on more. */
    readonly clientMessage?: string,
  ) {
    super(reason);
    this.name = 'AuthenticationError';
  }

  /** A missing or expired credential is a client's everyday business; anything else deserves a look. */
  get logLevel(): 'info' | 'warn' {
    return this.failure === 'missing' || this.failure === 'expired' ? 'info' : 'warn';
  }
}

interface Grants {
  apiKeys: readonly ApiKeyEntry[];
  groupPolicy: readonly GroupPolicyEntry[];
}

export class Authenticator {
  private readonly jwt: JwtVerifier | undefined;

  private constructor(
    private readonly config: AuthConfig,
    private grants: Grants,
  ) {
    this.jwt = config.jwt === undefined ? undefined : new JwtVerifier(config.jwt);
  }

  /** Reads the API key and group policy files; a bad file stops the start (`PolicyFileError`). */
  static async create(config: AuthConfig): Promise<Authenticator> {
    return new Authenticator(config, await readGrants(config));
  }

  /** True when no credential is asked for. */
  get anonymous(): boolean {
    return this.config.anonymous;
  }

  /**
   * Reads both files again (SIGHUP), so a key can be revoked without a restart. A file that cannot
   * be used leaves the grants as they were and throws `PolicyFileError`.
   */
  async reload(): Promise<{ apiKeys: number; groups: number }> {
    this.grants = await readGrants(this.config);
    return { apiKeys: this.grants.apiKeys.length, groups: this.grants.groupPolicy.length };
  }

  /** What is configured, for the start-up log: never a key or a hash. */
  describe(): { issuer?: string; audience?: string; apiKeys: number; policyGroups: number } {
    return {
      ...(this.config.jwt ? { issuer: this.config.jwt.issuer, audience: this.config.jwt.audience } : {}),
      apiKeys: this.grants.apiKeys.length,
      policyGroups: this.grants.groupPolicy.length,
    };
  }

  /** Fetches the issuer's discovery document ahead of the first request. */
  async warmUp(): Promise<void> {
    await this.jwt?.warmUp();
  }

  async authenticate(presented: PresentedCredentials, clientAddress: string | undefined): Promise<Principal> {
    if (this.config.anonymous) return anonymousPrincipal(clientAddress);
    const count = presented.authorization.length + presented.apiKey.length;
    if (count === 0) throw new AuthenticationError('missing', 'no credential presented');
    if (count > 1) {
      throw new AuthenticationError(
        'invalid',
        'more than one credential presented',
        'Present one credential: a bearer token or an API key, not both, and each header once.',
      );
    }
    const [authorization] = presented.authorization;
    if (authorization !== undefined) return this.fromBearer(authorization);
    return this.fromApiKey(presented.apiKey[0] ?? '');
  }

  private async fromBearer(authorization: string): Promise<Principal> {
    if (this.jwt === undefined || this.config.jwt === undefined) {
      throw new AuthenticationError('invalid', 'a bearer token was presented, but no issuer is configured (AUTH_JWT_ISSUER)');
    }
    const token = bearerToken(authorization);
    if (token === undefined) throw new AuthenticationError('invalid', 'the Authorization header is not a Bearer token');
    let claims: JWTPayload;
    try {
      claims = await this.jwt.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new AuthenticationError(error.expired ? 'expired' : 'invalid', error.reason);
      if (error instanceof IssuerUnavailableError) throw new AuthenticationError('unavailable', error.message);
      throw error;
    }
    return principalFromClaims(claims, this.config.jwt, this.grants.groupPolicy);
  }

  private fromApiKey(key: string): Principal {
    if (this.config.apiKeysFile === undefined) {
      throw new AuthenticationError('invalid', 'an API key was presented, but no API keys are configured (AUTH_API_KEYS_FILE)');
    }
    const entry = findApiKey(this.grants.apiKeys, key);
    if (entry === undefined) throw new AuthenticationError('invalid', 'unknown API key');
    return {
      kind: 'api-key',
      id: entry.id,
      grants: [{ scopes: new Set(entry.scopes), caches: new CachePatterns(entry.caches) }],
      expiresAt: undefined,
    };
  }
}

async function readGrants(config: AuthConfig): Promise<Grants> {
  const [apiKeys, groupPolicy] = await Promise.all([
    config.apiKeysFile === undefined ? [] : readPolicyFile(config.apiKeysFile, apiKeyEntries),
    config.policyFile === undefined ? [] : readPolicyFile(config.policyFile, groupPolicyEntries),
  ]);
  return { apiKeys, groupPolicy };
}

function strings(value: unknown, claim: string): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new AuthenticationError('invalid', `the ${claim} claim is not an array of strings`);
}

/**
 * What a verified token grants: its own scopes on its own cache patterns, and each of its groups'
 * policy entries, each entry its scopes on its caches.
 */
export function principalFromClaims(claims: JWTPayload, config: JwtConfig, groupPolicy: readonly GroupPolicyEntry[]): Principal {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new AuthenticationError('invalid', 'the sub claim is not a string');
  const scopes = new Set<Scope>();
  const claimedScopes = [
    ...(typeof claims.scope === 'string' ? claims.scope.split(' ') : []),
    // `scp` is a space-separated string at some issuers and an array at others.
    ...(typeof claims.scp === 'string' ? claims.scp.split(' ') : strings(claims.scp, 'scp')),
  ];
  for (const scope of claimedScopes) if (isScope(scope)) scopes.add(scope);
  const grants: Grant[] = [{ scopes, caches: new CachePatterns(strings(claims[config.cachesClaim], config.cachesClaim)) }];
  const groupsClaim = claims[config.groupsClaim];
  const groups = new Set(typeof groupsClaim === 'string' ? [groupsClaim] : strings(groupsClaim, config.groupsClaim));
  for (const entry of groupPolicy) {
    if (groups.has(entry.group)) grants.push({ scopes: new Set(entry.scopes), caches: new CachePatterns(entry.caches) });
  }
  return {
    kind: 'jwt',
    id: claims.sub,
    grants,
    // The token is accepted until its `exp` plus the clock tolerance, and not a moment longer.
    expiresAt: claims.exp === undefined ? undefined : (claims.exp + CLOCK_TOLERANCE_SECONDS) * 1000,
  };
}
