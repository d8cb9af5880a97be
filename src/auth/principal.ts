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

export interface Principal {
  /** How the caller proved who it is: a bearer token, an API key, or nothing (authentication off). */
  kind: 'jwt' | 'api-key' | 'anonymous';
  /** The caller's name in logs: the token's `sub`, the key's `id`, or the client's address. */
  id: string;
  scopes: ReadonlySet<Scope>;
  /** The caches the caller may see and snapshot. */
  caches: CachePatterns;
  /** When the credential stops being valid (epoch milliseconds); a WebSocket closes then. */
  expiresAt: number | undefined;
}

/** The caller when the gateway asks for no credential: every scope, every cache. */
export function anonymousPrincipal(clientAddress: string | undefined): Principal {
  return {
    kind: 'anonymous',
    id: clientAddress ?? 'unknown',
    scopes: new Set(SCOPES),
    caches: CachePatterns.ALL,
    expiresAt: undefined,
  };
}

/** One string per principal, for whatever is counted per caller (rate limits, connections, AWS calls). */
export function principalKey(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}
