/**
 * Which caches a principal may touch: a list of name patterns where `*` matches any run of
 * characters. Compared case-insensitively, because AWS stores cache names in lower case and
 * accepts them in any case: `Billing-Main` and `billing-main` are the same cache.
 */
export class CachePatterns {
  /** Every cache (`*`). */
  static readonly ALL = new CachePatterns(['*']);
  /** No cache at all. */
  static readonly NONE = new CachePatterns([]);

  private readonly expression: RegExp | null;
  /** True when some pattern is `*` alone (or `**`...): no name is outside. */
  readonly matchesAll: boolean;

  constructor(readonly patterns: readonly string[]) {
    this.matchesAll = patterns.some((p) => /^\*+$/.test(p));
    const alternatives = patterns.map((p) => p.split('*').map(escapeRegExp).join('.*'));
    this.expression = alternatives.length === 0 ? null : new RegExp(`^(?:${alternatives.join('|')})$`, 'is');
  }

  matches(cacheName: string): boolean {
    return this.expression !== null && this.expression.test(cacheName);
  }

  /** The patterns of both lists. */
  union(other: CachePatterns): CachePatterns {
    return new CachePatterns([...new Set([...this.patterns, ...other.patterns])]);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
