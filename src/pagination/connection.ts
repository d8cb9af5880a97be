/**
 * Relay connections on top of AWS's `MaxResults`/`NextToken` paging.
 *
 * AWS hands out a token only at the end of each page it returns, while Relay wants a cursor on
 * every edge. A cursor is therefore (the token that started the AWS page the item came from, how
 * many items of that page to skip). The last item of an AWS page that has a successor gets the
 * successor's token instead, so reading page after page with `first` and `endCursor` costs exactly
 * one AWS call per page. Cursors name the list they belong to: a cursor from another list or
 * filter is refused rather than silently misread.
 */
import { GatewayError, GatewayErrorCode } from '../errors';

export const DEFAULT_PAGE_SIZE = 20;
/** AWS's largest `MaxResults` for DescribeServerlessCacheSnapshots. */
export const MAX_PAGE_SIZE = 50;
/** AWS may answer empty pages with a token; never follow more than this many for one page. */
const MAX_UPSTREAM_CALLS_PER_PAGE = 5;

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
}

export interface PageArguments {
  first?: number | null;
  after?: string | null;
}

/** One page as AWS returns it. */
export interface UpstreamPage<T> {
  items: T[];
  nextToken: string | undefined;
}

export type FetchUpstreamPage<T> = (nextToken: string | undefined, maxResults: number) => Promise<UpstreamPage<T>>;

interface Position {
  /** The AWS token the page started with; undefined for the list's first page. */
  token: string | undefined;
  /** Items of that AWS page already seen. */
  skip: number;
}

const badInput = (argumentName: string, message: string) => new GatewayError(GatewayErrorCode.BAD_USER_INPUT, message, { argumentName });

export function encodeCursor(list: string, { token, skip }: Position): string {
  return Buffer.from(JSON.stringify({ v: 1, l: list, t: token ?? null, s: skip }), 'utf8').toString('base64url');
}

export function decodeCursor(list: string, cursor: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { v, l, t, s } = (parsed ?? {}) as { v?: unknown; l?: unknown; t?: unknown; s?: unknown };
  const valid = v === 1 && (t === null || typeof t === 'string') && Number.isSafeInteger(s) && (s as number) >= 0;
  if (!valid) throw badInput('after', 'The `after` cursor is not one this gateway issued. Pass a previous page\'s `endCursor` unchanged.');
  if (l !== list) throw badInput('after', 'The `after` cursor belongs to another list or filter. Start again without `after`.');
  return { token: t ?? undefined, skip: s as number };
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `\`first\` must be between 1 and ${MAX_PAGE_SIZE}; it is ${first}.`);
  }
  return first;
}

/**
 * Reads one Relay page of `list` (a key naming the list and its filters) through `fetch`.
 * Arguments are checked before any AWS call.
 *
 * `visible`, when given, leaves out the items the caller may not see. The page is then filled from
 * further AWS pages, cursors step over hidden items, and `hasNextPage` is true only when a visible
 * item follows: a list never shows what it hides, not even as a promise of more. The one exception
 * is a page that spent its AWS call budget (five calls) on hidden items: it says `hasNextPage` and
 * its `endCursor` goes on from where it stopped, since finding out would cost unbounded calls.
 */
export async function readConnection<T>(
  list: string,
  args: PageArguments,
  fetch: FetchUpstreamPage<T>,
  visible?: (item: T) => boolean,
): Promise<Connection<T>> {
  const first = pageSize(args.first);
  let position: Position = args.after == null ? { token: undefined, skip: 0 } : decodeCursor(list, args.after);
  const edges: Edge<T>[] = [];
  let hasNextPage = false;
  let budgetSpent = false;

  scan: for (let calls = 0; ; calls++) {
    if (calls === MAX_UPSTREAM_CALLS_PER_PAGE) {
      // Not known either way; a further read from `endCursor` will tell.
      hasNextPage = true;
      budgetSpent = true;
      break;
    }
    // Unfiltered, exactly what the page needs; filtered, as much as one call gives, since an
    // unknown share of it is hidden.
    const maxResults = visible === undefined ? Math.min(MAX_PAGE_SIZE, position.skip + first - edges.length) : MAX_PAGE_SIZE;
    const page = await fetch(position.token, maxResults);
    for (let index = position.skip; index < page.items.length; index++) {
      const node = page.items[index]!;
      if (visible !== undefined && !visible(node)) continue;
      if (edges.length === first) {
        hasNextPage = true;
        break scan;
      }
      const lastOfPage = index === page.items.length - 1;
      const next: Position =
        lastOfPage && page.nextToken !== undefined ? { token: page.nextToken, skip: 0 } : { token: position.token, skip: index + 1 };
      edges.push({ node, cursor: encodeCursor(list, next) });
    }
    position = page.nextToken === undefined ? { token: position.token, skip: page.items.length } : { token: page.nextToken, skip: 0 };
    if (page.nextToken === undefined) break;
    // Unfiltered, AWS's token says more follows; filtered, only a visible item would.
    if (edges.length === first && visible === undefined) {
      hasNextPage = true;
      break;
    }
  }

  // When the call budget ran out, the scan went past the last edge (over hidden items or empty AWS
  // pages): the reader goes on from where the scan stopped, not from the last edge, or it would
  // read the same pages again and never get further.
  const endCursor = budgetSpent ? encodeCursor(list, position) : (edges[edges.length - 1]?.cursor ?? null);
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor,
    },
  };
}
