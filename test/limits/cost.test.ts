/**
 * What an operation is priced at before it runs (`priceOperation`, on the gateway's own schema):
 * each field 1, `__typename` and introspection free, the items of a connection multiplied by the
 * `first` it asks for (default 20, clamped to 1..50) and its `pageInfo` paid once, however the
 * document is written (fragments, inline fragments, variables). Mutations are counted field by
 * field, aliases and fragments included, for the mutation rate limit.
 */
import { parse } from 'graphql';
import { priceOperation, SUBSCRIPTION_START_COST, type PricedOperation } from '../../src/limits/cost';
import { buildSchema } from '../../src/schema';

const schema = buildSchema();

function price(document: string, variables?: Record<string, unknown>, operationName?: string): PricedOperation {
  const priced = priceOperation(schema, parse(document), operationName, variables);
  if (priced === null) throw new Error('the document selects no operation');
  return priced;
}
const cost = (document: string, variables?: Record<string, unknown>) => price(document, variables).cost;

const CREATE = (alias: string) =>
  `${alias}: createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "${alias}", serverlessCacheName: "demo-valkey"}) { __typename }`;

describe('fields', () => {
  it('costs 1 a field, nested objects included', () => {
    expect(cost('{ serverlessCache(name: "demo-valkey") { serverlessCacheName arn endpoint { address port } } }')).toBe(6);
  });

  it('prices __typename and introspection at nothing', () => {
    expect(cost('{ __typename serverlessCache(name: "demo-valkey") { __typename arn } }')).toBe(2);
    expect(cost('{ __schema { types { name fields { name } } } }')).toBe(0);
  });
});

describe('connections', () => {
  const caches = (args: string) => `{ serverlessCaches${args} { nodes { serverlessCacheName } } }`;

  it('multiplies the items by first, 20 when first is not given', () => {
    expect(cost(caches('(first: 5)'))).toBe(1 + 5 * 2);
    expect(cost(caches(''))).toBe(1 + 20 * 2);
  });

  it('clamps first to the page sizes the schema serves (1 to 50)', () => {
    expect(cost(caches('(first: 500)'))).toBe(1 + 50 * 2);
    expect(cost(caches('(first: 0)'))).toBe(1 + 1 * 2);
    expect(cost(caches('(first: -7)'))).toBe(1 + 1 * 2);
  });

  it('repeats edges as it does nodes, and charges pageInfo once', () => {
    expect(cost('{ serverlessCaches(first: 10) { edges { cursor node { serverlessCacheName } } } }')).toBe(1 + 10 * (1 + 1 + 2));
    expect(cost('{ serverlessCaches(first: 10) { pageInfo { hasNextPage endCursor } } }')).toBe(1 + 3);
    expect(cost('{ serverlessCaches(first: 10) { nodes { serverlessCacheName } pageInfo { hasNextPage } } }')).toBe(1 + 10 * 2 + 2);
  });

  it('prices nested lists as what they fan out to', () => {
    // 50 caches with 50 snapshots each: 2,500 snapshots, not 100.
    expect(cost('{ serverlessCaches(first: 50) { nodes { snapshots(first: 50) { nodes { status } } } } }')).toBe(1 + 50 * (1 + 1 + 50 * 2));
    expect(cost('{ serverlessCacheSnapshots(first: 50) { nodes { serverlessCache { snapshots(first: 50) { nodes { status } } } } } }')).toBe(
      1 + 50 * (1 + 1 + 1 + 50 * 2),
    );
  });

  it("prices the README's example query at a few hundred", () => {
    const readme =
      '{ serverlessCaches { nodes { serverlessCacheName engine status snapshots(first: 5) { nodes { serverlessCacheSnapshotName status } pageInfo { hasNextPage endCursor } } } } }';
    // 20 caches × (1 + 3 fields + snapshots: 1 + 5 × 3 + pageInfo 3).
    expect(cost(readme)).toBe(1 + 20 * (1 + 3 + (1 + 5 * 3 + 3)));
  });
});

describe('however the document is written', () => {
  it('prices a named fragment as the fields it spreads', () => {
    const inline = '{ serverlessCaches(first: 10) { nodes { serverlessCacheName snapshots(first: 4) { nodes { status } } } } }';
    const spread = `{ serverlessCaches(first: 10) { nodes { ...Cache } } }
      fragment Cache on ServerlessCache { serverlessCacheName snapshots(first: 4) { nodes { ...Snap } } }
      fragment Snap on ServerlessCacheSnapshot { status }`;
    expect(cost(spread)).toBe(cost(inline));
    expect(cost(spread)).toBe(1 + 10 * (1 + 1 + (1 + 4 * 2)));
  });

  it('prices inline fragments, typed or not, as their fields', () => {
    expect(cost('{ node(id: "x") { id ... on ServerlessCache { snapshots(first: 3) { nodes { status } } } } }')).toBe(1 + 1 + (1 + 3 * 2));
    expect(cost('{ serverlessCaches(first: 3) { nodes { ... { serverlessCacheName arn } } } }')).toBe(1 + 3 * (1 + 2));
  });

  it('does not let a fragment on a connection hide its items from the multiplier', () => {
    const direct = cost('{ serverlessCaches(first: 10) { nodes { serverlessCacheName } } }');
    const throughFragment = cost('{ serverlessCaches(first: 10) { ...Page } } fragment Page on ServerlessCacheConnection { nodes { serverlessCacheName } }');
    expect(throughFragment).toBeGreaterThanOrEqual(direct);
  });

  it('reads first from the variables', () => {
    const document = 'query($n: Int) { serverlessCaches(first: $n) { nodes { snapshots(first: $n) { nodes { status } } } } }';
    expect(cost(document, { n: 50 })).toBe(1 + 50 * (1 + 1 + 50 * 2));
    expect(cost(document, { n: 1 })).toBe(1 + 1 * (1 + 1 + 1 * 2));
    expect(cost(document, {})).toBe(1 + 20 * (1 + 1 + 20 * 2));
  });

  // The variable's default is what runs when the request gives none (graphql-js coerces it).
  it("prices first from a variable's default value when the request omits the variable", () => {
    const document = 'query($n: Int = 50) { serverlessCaches(first: $n) { nodes { snapshots(first: $n) { nodes { status } } } } }';
    expect(cost(document, {})).toBe(cost(document, { n: 50 }));
  });

  it('prices the operation the request names', () => {
    const document = `query Small { serverlessCache(name: "a") { arn } }
      query Large { serverlessCaches(first: 50) { nodes { arn } } }`;
    expect(price(document, {}, 'Small').cost).toBe(2);
    expect(price(document, {}, 'Large').cost).toBe(1 + 50 * 2);
    expect(priceOperation(schema, parse(document), 'Missing', {})).toBeNull();
  });
});

describe('mutations', () => {
  it('counts each mutation field, aliases included', () => {
    expect(price(`mutation { ${CREATE('a')} }`).mutations).toBe(1);
    expect(price(`mutation { ${CREATE('a')} ${CREATE('b')} ${CREATE('c')} __typename }`).mutations).toBe(3);
  });

  it('counts the mutation fields of fragment spreads and inline fragments', () => {
    const document = `mutation { ${CREATE('a')} ...More ... on Mutation { ${CREATE('d')} } }
      fragment More on Mutation { ${CREATE('b')} ${CREATE('c')} }`;
    expect(price(document).mutations).toBe(4);
  });

  it('counts no mutation in a query or a subscription', () => {
    expect(price('{ serverlessCache(name: "a") { arn } }').mutations).toBe(0);
    expect(price('subscription { serverlessCacheSnapshotStatusChanged(name: "a") { status } }').mutations).toBe(0);
  });
});

describe('fragment chains', () => {
  // Each fragment spreads the next twice: worked out spread by spread, the walk doubles with every
  // link, and thirty links (about 1 kB) would hold the event loop for hours.
  const chain = (links: number) =>
    [
      'query { ...F0 }',
      ...Array.from({ length: links }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`),
      `fragment F${links} on Query { serverlessCaches(first: 1) { pageInfo { hasNextPage } } }`,
    ].join('\n');

  it('prices each named fragment once, so a doubling chain is priced at once, at what it would run', () => {
    // 22 links: priced spread by spread, about a minute of blocked event loop, so a regression
    // fails this test (late) instead of hanging the run.
    const priced = priceOperation(buildSchema(), parse(chain(22)), undefined, {});
    // 2^22 spreads of a connection (1) with its pageInfo (1 + 1): the walk never made them.
    expect(priced?.cost).toBe(2 ** 22 * 3);
  });
});

it('charges a subscription field for the poll it starts', () => {
  const priced = priceOperation(buildSchema(), parse('subscription { serverlessCacheSnapshotStatusChanged(name: "a") { status } }'), undefined, {});
  expect(priced?.cost).toBe(2 + SUBSCRIPTION_START_COST);
});
