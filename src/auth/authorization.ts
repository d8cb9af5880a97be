/**
 * Every authorization decision the gateway makes, for one principal. Services call it before they
 * call AWS (writes) and on what AWS returns (reads); no resolver or service compares scopes or
 * cache patterns itself.
 *
 * - A mutation needs `snapshots:write` and a cache inside the principal's patterns. Either missing
 *   is `FORBIDDEN`, with the same words whether or not the cache exists, so a refusal never tells
 *   a caller which caches there are.
 * - A read needs `snapshots:read` (`FORBIDDEN` otherwise). A cache outside the patterns does not
 *   exist for the caller, and nor does a snapshot taken from one.
 */
import type { ServerlessCache, ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { GatewayError, GatewayErrorCode } from '../errors';
import type { Principal, Scope } from './principal';

export class Authorization {
  constructor(readonly principal: Principal) {}

  /** Throws `FORBIDDEN` unless the principal may read. */
  assertMayRead(): void {
    this.assertScope('snapshots:read');
  }

  /** Throws `FORBIDDEN` unless a grant of the principal gives write on the cache named `cacheName`. */
  assertMayWrite(cacheName: string): void {
    this.assertScope('snapshots:write');
    if (!this.granted('snapshots:write', cacheName)) {
      throw new GatewayError(GatewayErrorCode.FORBIDDEN, `You are not allowed to change serverless cache "${cacheName}".`);
    }
  }

  /** Throws `FORBIDDEN` unless the principal may write some cache (before finding out which one a name is of). */
  assertMayWriteSome(): void {
    this.assertScope('snapshots:write');
  }

  /** Whether a cache of that name exists for the principal (what AWS says aside). */
  mayAccessCache(cacheName: string): boolean {
    return this.granted('snapshots:read', cacheName);
  }

  mayAccessCacheRecord(cache: ServerlessCache): boolean {
    return cache.ServerlessCacheName !== undefined && this.mayAccessCache(cache.ServerlessCacheName);
  }

  /** A snapshot is visible when the cache it was taken from is, whether or not that cache still exists. */
  mayAccessSnapshot(snapshot: ServerlessCacheSnapshot): boolean {
    if (this.readsEverything()) return true;
    const source = snapshot.ServerlessCacheConfiguration?.ServerlessCacheName;
    return source !== undefined && this.mayAccessCache(source);
  }

  /** What a list of caches may show the principal; undefined when it may show everything. */
  cacheFilter(): ((cache: ServerlessCache) => boolean) | undefined {
    return this.readsEverything() ? undefined : (cache) => this.mayAccessCacheRecord(cache);
  }

  /**
   * What a list of snapshots may show the principal; undefined when it may show everything, or when
   * the list is of one cache the principal may see (every snapshot in it comes from that cache).
   */
  snapshotFilter(cacheName: string | null | undefined): ((snapshot: ServerlessCacheSnapshot) => boolean) | undefined {
    if (this.readsEverything() || (cacheName != null && this.mayAccessCache(cacheName))) return undefined;
    return (snapshot) => this.mayAccessSnapshot(snapshot);
  }

  private readsEverything(): boolean {
    return this.principal.grants.some((g) => g.scopes.has('snapshots:read') && g.caches.matchesAll);
  }

  private granted(scope: Scope, cacheName: string): boolean {
    return this.principal.grants.some((g) => g.scopes.has(scope) && g.caches.matches(cacheName));
  }

  private assertScope(scope: Scope): void {
    if (!this.principal.grants.some((g) => g.scopes.has(scope))) {
      throw new GatewayError(GatewayErrorCode.FORBIDDEN, `This needs the ${scope} scope, which your credentials do not grant.`, {
        requiredScope: scope,
      });
    }
  }
}
