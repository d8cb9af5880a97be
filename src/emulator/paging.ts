/**
 * Keyset paging for Describe operations.
 *
 * A `NextToken` encodes the sort key of the last item returned, not an offset, so items created
 * between two page requests never shift a page: the next page starts strictly after that key.
 * The token is opaque to clients (base64url JSON) and names the listing it belongs to, so a token
 * from one operation is rejected by another instead of being misread.
 */

export type PageKey = readonly (string | number)[];
type KeyPart = 'string' | 'number';

function compareParts(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareKeys(a: PageKey, b: PageKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareParts(a[i] as string | number, b[i] as string | number);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function encodeNextToken(listing: string, after: PageKey): string {
  return Buffer.from(JSON.stringify({ v: 1, l: listing, a: after }), 'utf8').toString('base64url');
}

/** The key a token continues after, or `undefined` when the token is not one we issued for `listing`. */
export function decodeNextToken(listing: string, token: string, shape: readonly KeyPart[]): PageKey | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, l, a } = parsed as { v?: unknown; l?: unknown; a?: unknown };
  if (v !== 1 || l !== listing || !Array.isArray(a) || a.length !== shape.length) return undefined;
  const key = a as unknown[];
  const ok = shape.every((kind, i) => (kind === 'number' ? Number.isSafeInteger(key[i]) : typeof key[i] === 'string'));
  return ok ? (key as (string | number)[]) : undefined;
}

/** The first `max` items after `after` (all items when absent) and the key to continue from, if any remain. */
export function paginate<T>(sorted: readonly T[], keyOf: (item: T) => PageKey, after: PageKey | undefined, max: number): { page: T[]; nextKey: PageKey | undefined } {
  const start = after === undefined ? 0 : sorted.findIndex((item) => compareKeys(keyOf(item), after) > 0);
  if (start === -1) return { page: [], nextKey: undefined };
  const page = sorted.slice(start, start + max);
  const last = page[page.length - 1];
  const more = start + max < sorted.length;
  return { page, nextKey: more && last !== undefined ? keyOf(last) : undefined };
}
