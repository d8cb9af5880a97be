/**
 * Bearer tokens from an OIDC issuer, verified with jose: the key set comes from the issuer's
 * discovery document (or `AUTH_JWT_JWKS_URL`), is cached, and is fetched again when a token names a
 * key it does not hold (at most once per cooldown), so a rotated key is picked up without a restart.
 *
 * Every wait on the issuer is bounded by the fetch timeout: a hanging issuer fails the request with
 * `IssuerUnavailableError` in about that time, never hangs it.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import type { JwtConfig } from '../config';

/** How far a token's `exp`, `nbf` and `iat` may be off this host's clock. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** The issuer's discovery document or key set could not be had in time: nothing is known of the token. */
export class IssuerUnavailableError extends Error {
  constructor(reason: string, options?: { cause: unknown }) {
    super(reason, options);
    this.name = 'IssuerUnavailableError';
  }
}

/** The token is not one this gateway accepts; `reason` is for the log, never for the client. */
export class InvalidTokenError extends Error {
  constructor(
    readonly reason: string,
    readonly expired = false,
  ) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

type KeyLookup = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike | Uint8Array>;

/** Time beyond the fetch timeout before a stalled key-set fetch is cut off (jose's own timeout usually fires first). */
const BOUND_SLACK_MS = 250;

/**
 * Whether a key lookup failed for the issuer's sake (its key set timed out, answered non-200 or
 * non-JSON, or the network failed), rather than the token's (no key with its `kid`, a key of
 * another type): the first is HTTP 503, the second 401.
 */
function isIssuerFault(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === errors.JOSEError.code;
}

function withinMs<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class JwtVerifier {
  /** The key set and the agent its fetches use; made once the key set's URL is known. */
  private remoteKeys: { lookUp: KeyLookup; agent: HttpAgent | HttpsAgent } | undefined;
  private jwksUrl: Promise<URL> | undefined;

  constructor(private readonly config: JwtConfig) {}

  /** The verified claims of `token`. Throws `InvalidTokenError` or `IssuerUnavailableError`. */
  async verify(token: string): Promise<JWTPayload> {
    // An unverified look at `iss` first: a token from another issuer is refused at once, whatever
    // the state of ours, and never makes the gateway fetch anything.
    let claimedIssuer: unknown;
    try {
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      throw new InvalidTokenError('not a JWT');
    }
    if (claimedIssuer !== this.config.issuer) throw new InvalidTokenError(`iss ${JSON.stringify(claimedIssuer)} is not the configured issuer`);

    // One bound for everything the issuer is waited on for: discovery and the key set together.
    const deadline = Date.now() + this.config.fetchTimeoutMs;
    const url = await withinMs(this.resolveJwksUrl(), this.config.fetchTimeoutMs, () => new IssuerUnavailableError('the discovery document did not arrive in time'));
    try {
      const { payload } = await jwtVerify(token, (header, input) => this.lookUpKey(url, header, input, deadline), {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // A token that never expires is a key that cannot be revoked; one without a subject names nobody.
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (error) {
      if (error instanceof IssuerUnavailableError) throw error;
      if (error instanceof errors.JOSEError) {
        throw new InvalidTokenError(`${error.code}: ${error.message}`, error instanceof errors.JWTExpired);
      }
      throw error;
    }
  }

  /** Fetches the discovery document (when needed) ahead of the first request. */
  async warmUp(): Promise<void> {
    await this.resolveJwksUrl();
  }

  private async lookUpKey(url: URL, header: JWSHeaderParameters, token: FlattenedJWSInput, deadline: number): Promise<KeyLike | Uint8Array> {
    if (this.remoteKeys === undefined) {
      // An agent of its own, so that a fetch that outlives the bound can be cut off (below).
      const agent = url.protocol === 'https:' ? new HttpsAgent() : new HttpAgent();
      const lookUp = createRemoteJWKSet(url, { timeoutDuration: this.config.fetchTimeoutMs, cooldownDuration: this.config.jwksCooldownMs, agent });
      this.remoteKeys = { lookUp, agent };
    }
    const { lookUp, agent } = this.remoteKeys;
    try {
      // jose's timeout covers the wait for the response to start; this bound covers the whole fetch.
      return await withinMs(lookUp(header, token), Math.max(0, deadline - Date.now()) + BOUND_SLACK_MS, () => {
        // Ends the stalled fetch: jose forgets it, no socket is left hanging, the next request fetches afresh.
        agent.destroy();
        return new IssuerUnavailableError('the key set did not arrive in time');
      });
    } catch (error) {
      if (error instanceof IssuerUnavailableError || !isIssuerFault(error)) throw error;
      throw new IssuerUnavailableError('the key set could not be fetched', { cause: error });
    }
  }

  private resolveJwksUrl(): Promise<URL> {
    if (this.config.jwksUrl !== undefined) return Promise.resolve(new URL(this.config.jwksUrl));
    // Concurrent requests share one discovery; a failed one is forgotten so the next request retries.
    this.jwksUrl ??= this.discover().catch((error: unknown) => {
      this.jwksUrl = undefined;
      throw error;
    });
    return this.jwksUrl;
  }

  /** OIDC Discovery 1.0: the issuer's `/.well-known/openid-configuration`, which must name the same issuer. */
  private async discover(): Promise<URL> {
    const location = `${this.config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(location, { signal: AbortSignal.timeout(this.config.fetchTimeoutMs), redirect: 'error' });
      if (!response.ok) throw new IssuerUnavailableError(`the discovery document answered HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      if (error instanceof IssuerUnavailableError) throw error;
      throw new IssuerUnavailableError('the discovery document could not be fetched', { cause: error });
    }
    if (document.issuer !== this.config.issuer) {
      throw new IssuerUnavailableError(
        `the discovery document names issuer ${JSON.stringify(document.issuer)}, not ${this.config.issuer}: AUTH_JWT_ISSUER must be the issuer's own value exactly (scheme, host, trailing slash)`,
      );
    }
    if (typeof document.jwks_uri !== 'string' || !URL.canParse(document.jwks_uri) || !/^https?:$/.test(new URL(document.jwks_uri).protocol)) {
      throw new IssuerUnavailableError('the discovery document has no usable jwks_uri');
    }
    return new URL(document.jwks_uri);
  }
}
