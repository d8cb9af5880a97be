import { decodeCursor, encodeCursor, readConnection, type Connection, type UpstreamPage } from '../../src/pagination/connection';

/**
 * An upstream list of `total` items served `MaxResults` at a time (or at most `pageCap`, as AWS may
 * return fewer than asked), with opaque tokens, recording its calls.
 */
function upstream(total: number, pageCap = Infinity) {
  const items = Array.from({ length: total }, (_, i) => `item-${i}`);
  const calls: { nextToken: string | undefined; maxResults: number }[] = [];
  const fetch = (nextToken: string | undefined, maxResults: number): Promise<UpstreamPage<string>> => {
    calls.push({ nextToken, maxResults });
    const start = nextToken === undefined ? 0 : Number(nextToken.slice('tok-'.length));
    const end = Math.min(total, start + Math.min(maxResults, pageCap));
    return Promise.resolve({ items: items.slice(start, end), nextToken: end < total ? `tok-${end}` : undefined });
  };
  return { items, calls, fetch };
}

describe('readConnection', () => {
  it('reads page after page with endCursor, one upstream call per page', async () => {
    const list = upstream(7);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Connection<string> = await readConnection('l', { first: 3, after }, list.fetch);
      seen.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(list.items);
    expect(list.calls).toEqual([
      { nextToken: undefined, maxResults: 3 },
      { nextToken: 'tok-3', maxResults: 3 },
      { nextToken: 'tok-6', maxResults: 3 },
    ]);
  });

  it('resumes from a cursor in the middle of an upstream page by skipping what was seen', async () => {
    const list = upstream(10);
    const page = await readConnection('l', { first: 5 }, list.fetch);
    const rest = await readConnection('l', { first: 3, after: page.edges[1]!.cursor }, list.fetch);
    expect(rest.nodes).toEqual(['item-2', 'item-3', 'item-4']);
    expect(list.calls[1]).toEqual({ nextToken: undefined, maxResults: 5 });
  });

  it('follows upstream pages when a resumed page spans two of them', async () => {
    const list = upstream(100);
    const first = await readConnection('l', { first: 50 }, list.fetch);
    const resumed = await readConnection('l', { first: 50, after: first.edges[30]!.cursor }, list.fetch);
    expect(resumed.nodes).toEqual(list.items.slice(31, 81));
    expect(resumed.pageInfo.hasNextPage).toBe(true);
  });

  it('says there is no next page when the upstream list ends exactly at the page end', async () => {
    const page = await readConnection('l', { first: 4 }, upstream(4).fetch);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('answers an empty list with an empty page and null cursors', async () => {
    const page = await readConnection('l', {}, upstream(0).fetch);
    expect(page).toEqual({ edges: [], nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });

  it('asks for 20 items when first is not given', async () => {
    const list = upstream(30);
    expect((await readConnection('l', {}, list.fetch)).nodes).toHaveLength(20);
  });
});

describe('readConnection with items hidden from the caller', () => {
  /** Reads the whole list `first` at a time; returns every page. */
  async function readAll(fetch: ReturnType<typeof upstream>['fetch'], first: number, visible: (item: string) => boolean) {
    const pages: Connection<string>[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: Connection<string> = await readConnection('l', { first, after }, fetch, visible);
      pages.push(page);
      if (!page.pageInfo.hasNextPage) return pages;
      after = page.pageInfo.endCursor;
    }
    throw new Error('the list never ended');
  }
  const even = (item: string) => Number(item.slice('item-'.length)) % 2 === 0;

  it('shows only visible items, each once, however AWS pages them', async () => {
    for (const pageCap of [1, 3, 7, Infinity]) {
      for (const first of [1, 2, 5]) {
        const list = upstream(21, pageCap);
        const pages = await readAll(list.fetch, first, even);
        expect(pages.flatMap((p) => p.nodes)).toEqual(list.items.filter(even));
      }
    }
  });

  it('fills each page and ends without an empty one', async () => {
    for (const first of [1, 2, 5]) {
      const pages = await readAll(upstream(21).fetch, first, even);
      expect(pages.slice(0, -1).every((p) => p.nodes.length === first)).toBe(true);
      expect(pages.at(-1)!.nodes.length).toBeGreaterThan(0);
    }
  });

  it('says nothing follows when only hidden items follow, even across upstream pages', async () => {
    const list = upstream(12, 3);
    const page = await readConnection('l', { first: 2 }, list.fetch, (item) => item === 'item-0' || item === 'item-1');
    expect(page.nodes).toEqual(['item-0', 'item-1']);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('makes progress on every page even when hidden items outlast the call budget', async () => {
    const list = upstream(400, 10);
    const visible = (item: string) => item === 'item-0' || item === 'item-399';
    const pages = await readAll(list.fetch, 1, visible);
    expect(pages.flatMap((p) => p.nodes)).toEqual(['item-0', 'item-399']);
    // Each AWS page is read once: 40 of them, and no page of the list re-reads what another read.
    expect(list.calls.length).toBeLessThanOrEqual(41);
  });

  it('when the call budget runs out on hidden items, says more may follow and gives a cursor to go on', async () => {
    const list = upstream(200, 10);
    const visible = (item: string) => item === 'item-150';
    const page = await readConnection('l', { first: 1 }, list.fetch, visible);
    expect(page.nodes).toEqual([]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const pages = await readAll(list.fetch, 1, visible);
    expect(pages.flatMap((p) => p.nodes)).toEqual(['item-150']);
  });
});

describe('cursors', () => {
  it('round-trip', () => {
    expect(decodeCursor('l', encodeCursor('l', { token: 'abc', skip: 2 }))).toEqual({ token: 'abc', skip: 2 });
    expect(decodeCursor('l', encodeCursor('l', { token: undefined, skip: 0 }))).toEqual({ token: undefined, skip: 0 });
  });
});
