/**
 * Who is calling, as every later stage sees it: one shape whatever the credential was, so that
 * authorization, audit and logs never ask how the caller proved who it is.
 */
import { CachePatterns } from './cache-patterns';

export const SCOPES = ['snapshots:read', 'snapshots:write'] as const;
/** `snapshots:read` for queries and subscriptions, `snapshots:write` for mutations. */
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Scopes on caches: what one key, one token's own claims, or one group policy entry gives. */
export interface Grant {
  scopes: ReadonlySet<Scope>;
  caches: CachePatterns;
}

export interface Principal {
  /** How the caller proved who it is: a bearer token, an API key, or nothing (authentication off). */
  kind: 'jwt' | 'api-key' | 'anonymous';
  /** The caller's name in logs: the token's `sub`, the key's `id`, or the client's address. */
  id: string;
  /**
   * Each grant keeps its scopes with its caches: read on one cache and write on another never make
   * write on both.
   */
  grants: readonly Grant[];
  /** When the credential stops being valid (epoch milliseconds); a WebSocket closes then. */
  expiresAt: number | undefined;
}

/** The caller when the gateway asks for no credential: every scope, every cache. */
export function anonymousPrincipal(clientAddress: string | undefined): Principal {
  return {
    kind: 'anonymous',
    id: clientAddress ?? 'unknown',
    grants: [{ scopes: new Set(SCOPES), caches: CachePatterns.ALL }],
    expiresAt: undefined,
  };
}

/** One string per principal, for whatever is counted per caller (rate limits, connections, AWS calls). */
export function principalKey(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}
