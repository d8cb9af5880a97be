/**
 * A development OIDC issuer: enough of one for the gateway to verify its tokens exactly as it
 * verifies a real identity provider's. It serves a discovery document and a key set over HTTP,
 * signs tokens with a key held in memory (ES256), and can rotate that key. Not for production: it
 * gives a token to anyone who asks on its loopback port.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';

const ALGORITHM = 'ES256';

/** What a development token grants unless told otherwise: every scope, every cache. */
export const DEFAULT_GRANT = { scope: 'snapshots:read snapshots:write', caches: '*' };

/** `a b,c` → `['a', 'b', 'c']`: lists in query strings and on the command line. */
export function splitList(list: string): string[] {
  return list.split(/[ ,]+/).filter((item) => item.length > 0);
}

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM);
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' } };
}

/** What a development token grants (the claims the gateway reads). */
export interface TokenGrant {
  /** The principal's name (`sub`). */
  sub: string;
  /** Scopes, written to the `scope` claim. */
  scopes?: readonly string[];
  /** Cache-name patterns, written to the `caches` claim; absent grants no cache. */
  caches?: readonly string[];
  /** Groups, written to the `groups` claim, for `AUTH_POLICY_FILE`. */
  groups?: readonly string[];
  /** Lifetime in seconds (default 3600). */
  ttlSeconds?: number;
  /** Any other claims, which override the ones above and the defaults (`iss`, `aud`, `exp`, ...). */
  claims?: JWTPayload;
}

export class DevIssuer {
  private keys: SigningKey[] = [];
  private server: Server | undefined;
  private issuerUrl: string | undefined;

  private constructor(readonly audience: string) {}

  static async create(audience: string): Promise<DevIssuer> {
    const issuer = new DevIssuer(audience);
    issuer.keys = [await newSigningKey()];
    return issuer;
  }

  /** The issuer URL (`iss`, and the base of its discovery document); known once it listens. */
  get url(): string {
    if (this.issuerUrl === undefined) throw new Error('the issuer is not listening yet');
    return this.issuerUrl;
  }

  /** The key id new tokens are signed with. */
  get currentKeyId(): string {
    return this.keys[0]!.kid;
  }

  /** Listens on loopback; resolves to the issuer URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    const server = createServer((request, response) => this.respond(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.issuerUrl = `http://${host}:${address.port}`;
    return this.issuerUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Signs new tokens with a new key. The key set keeps only the new key: tokens signed with the old
   * one stop verifying once a verifier fetches the set again, as after a real rotation.
   */
  async rotateKey(): Promise<void> {
    this.keys = [await newSigningKey()];
  }

  async mint(grant: TokenGrant): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const key = this.keys[0]!;
    const payload: JWTPayload = {
      iss: this.url,
      aud: this.audience,
      sub: grant.sub,
      iat: now,
      exp: now + (grant.ttlSeconds ?? 3600),
      jti: randomUUID(),
      ...(grant.scopes === undefined ? {} : { scope: grant.scopes.join(' ') }),
      ...(grant.caches === undefined ? {} : { caches: [...grant.caches] }),
      ...(grant.groups === undefined ? {} : { groups: [...grant.groups] }),
      ...grant.claims,
    };
    return new SignJWT(payload).setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }

  private respond(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return json(405, { error: 'only GET' });
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        return json(200, {
          issuer: this.url,
          jwks_uri: `${this.url}/jwks.json`,
          token_endpoint: `${this.url}/token`,
          id_token_signing_alg_values_supported: [ALGORITHM],
          response_types_supported: ['token'],
          subject_types_supported: ['public'],
        });
      case '/jwks.json':
        return json(200, { keys: this.keys.map((k) => k.publicJwk) });
      case '/token': {
        // Unset parameters grant what the start-up token grants: everything.
        const list = (name: string, fallback: string) => splitList(url.searchParams.get(name) ?? fallback);
        const ttl = Number(url.searchParams.get('ttl') ?? 3600);
        if (!Number.isInteger(ttl) || ttl <= 0) return json(400, { error: 'ttl must be a positive number of seconds' });
        const grant: TokenGrant = {
          sub: url.searchParams.get('sub') ?? 'developer',
          ttlSeconds: ttl,
          scopes: list('scope', DEFAULT_GRANT.scope),
          caches: list('caches', DEFAULT_GRANT.caches),
          groups: list('groups', ''),
        };
        this.mint(grant).then(
          (token) => json(200, { access_token: token, token_type: 'Bearer', expires_in: ttl }),
          () => json(500, { error: 'could not sign' }),
        );
        return;
      }
      default:
        return json(404, { error: `no ${url.pathname} here: try /.well-known/openid-configuration, /jwks.json or /token` });
    }
  }
}
