/**
 * Which caches a grant covers: a list of name patterns where `*` matches any run of characters.
 * Compared case-insensitively, because AWS stores cache names in lower case and accepts them in any
 * case: `Billing-Main` and `billing-main` are the same cache.
 *
 * Matching is a linear-time glob walk, not a regular expression: a pattern such as `*-*-*-prod`
 * against a long name would make a backtracking regex take seconds, and names come from callers.
 */
export class CachePatterns {
  /** Every cache (`*`). */
  static readonly ALL = new CachePatterns(['*']);

  private readonly lowerCase: readonly string[];
  /** True when some pattern is `*` alone (or `**`...): no name is outside. */
  readonly matchesAll: boolean;

  constructor(readonly patterns: readonly string[]) {
    // Runs of `*` match what one does.
    this.lowerCase = patterns.map((p) => p.toLowerCase().replace(/\*+/g, '*'));
    this.matchesAll = this.lowerCase.includes('*');
  }

  matches(cacheName: string): boolean {
    const name = cacheName.toLowerCase();
    return this.lowerCase.some((pattern) => globMatches(pattern, name));
  }
}

/**
 * `*`-only glob matching in O(pattern × name) at worst: on a mismatch, retry from just after the
 * last `*`, one character further into the name; no other backtracking is ever needed.
 */
function globMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resumeAt = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resumeAt = n;
    } else if (p < pattern.length && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resumeAt;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
