/**
 * The client kit (client/, README "Front ends"): what front ends build on cannot drift from the
 * gateway. `npm run codegen:check` holds the generated files to the SDL; this holds the served
 * `possibleTypes` to the committed file and the schema, and the typed documents to the root fields.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  OperationTypeNode,
  parse,
  print,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import {
  CreateServerlessCacheSnapshotDocument,
  NodeDocument,
  ServerlessCacheDocument,
  ServerlessCacheSnapshotDocument,
  ServerlessCacheSnapshotsDocument,
  ServerlessCachesDocument,
} from '../client/generated/graphql';
import { possibleTypesOf, POSSIBLE_TYPES_PATH } from '../src/possible-types';
import { buildSchema } from '../src/schema';
import { writeApiKeys } from './support/auth';
import { startTestGateway, type TestGateway } from './support/gateway';

const CLIENT = join(__dirname, '..', 'client');
const schema: GraphQLSchema = buildSchema();
const committed = (JSON.parse(readFileSync(join(CLIENT, 'possible-types.json'), 'utf8')) as { possibleTypes: Record<string, string[]> }).possibleTypes;

describe('possibleTypes', () => {
  it('the committed client/possible-types.json is the executable schema’s', () => {
    expect(possibleTypesOf(schema)).toEqual(committed);
  });

  it('names every member of every union, and every implementor of Fault and Node', () => {
    const map = possibleTypesOf(schema);
    const types = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
    const unions = types.filter(isUnionType);
    expect(unions.length).toBeGreaterThanOrEqual(7);
    for (const union of unions) expect(map[union.name]).toEqual(union.getTypes().map((member) => member.name).sort());
    const implementorsOf = (name: string) =>
      types
        .filter(isObjectType)
        .filter((type) => type.getInterfaces().some((iface) => iface.name === name))
        .map((type) => type.name)
        .sort();
    expect(map.Fault).toEqual(implementorsOf('Fault'));
    expect(map.Fault).toHaveLength(26);
    expect(map.Node).toEqual(['ServerlessCache', 'ServerlessCacheSnapshot']);
    // Every union member that is a fault is a Fault, so `... on Fault` reaches it.
    for (const union of unions) for (const member of union.getTypes()) if (member.name.endsWith('Fault') || member.name.endsWith('Exception')) expect(map.Fault).toContain(member.name);
    expect(Object.keys(map).sort()).toEqual(types.filter((type) => isUnionType(type) || isInterfaceType(type)).map((type) => type.name).sort());
  });
});

describe(`GET ${POSSIBLE_TYPES_PATH}`, () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('answers the schema’s map, with an ETag and cache-control: no-cache', async () => {
    const response = await fetch(`${gateway.url}${POSSIBLE_TYPES_PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual(committed);
  });

  it('answers 304 to a matching If-None-Match, and the map again to a stale one', async () => {
    const etag = (await fetch(`${gateway.url}${POSSIBLE_TYPES_PATH}`)).headers.get('etag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`, '*']) {
      const response = await fetch(`${gateway.url}${POSSIBLE_TYPES_PATH}`, { headers: { 'if-none-match': ifNoneMatch } });
      expect(response.status).toBe(304);
      expect(response.headers.get('etag')).toBe(etag);
      expect(await response.text()).toBe('');
    }
    const stale = await fetch(`${gateway.url}${POSSIBLE_TYPES_PATH}`, { headers: { 'if-none-match': '"stale"' } });
    expect(stale.status).toBe(200);
    expect(await stale.json()).toEqual(committed);
  });

  it('runs every typed read document through the gateway without an error (limits included)', async () => {
    const run = async (document: DocumentNode, variables: Record<string, unknown>) => {
      const { status, body } = await gateway.graphql(print(document), variables);
      expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
      return body.data;
    };
    const created = await run(CreateServerlessCacheSnapshotDocument, {
      input: { serverlessCacheSnapshotName: 'client-kit', serverlessCacheName: 'demo-valkey', tags: [{ key: 'team', value: 'web' }] },
    });
    expect(created).toMatchObject({ createServerlessCacheSnapshot: { __typename: 'CreateServerlessCacheSnapshotSuccess' } });
    const again = await run(CreateServerlessCacheSnapshotDocument, { input: { serverlessCacheSnapshotName: 'client-kit', serverlessCacheName: 'demo-valkey' } });
    expect(again).toMatchObject({ createServerlessCacheSnapshot: { __typename: 'ServerlessCacheSnapshotAlreadyExistsFault', code: 'ServerlessCacheSnapshotAlreadyExistsFault', awsRequestId: expect.any(String) } });
    const snapshot = (await run(ServerlessCacheSnapshotDocument, { name: 'client-kit', withTags: true })) as { serverlessCacheSnapshot: { id: string } };
    expect(snapshot).toMatchObject({ serverlessCacheSnapshot: { serverlessCacheSnapshotName: 'client-kit', tags: [{ key: 'team', value: 'web' }] } });
    expect(await run(NodeDocument, { id: snapshot.serverlessCacheSnapshot.id })).toMatchObject({ node: { __typename: 'ServerlessCacheSnapshot' } });
    expect(await run(ServerlessCachesDocument, { first: 50 })).toMatchObject({ serverlessCaches: { __typename: 'ServerlessCacheConnection' } });
    expect(await run(ServerlessCacheDocument, { name: 'demo-valkey', snapshotsFirst: 50 })).toMatchObject({ serverlessCache: { serverlessCacheName: 'demo-valkey' } });
    expect(await run(ServerlessCacheSnapshotsDocument, { serverlessCacheName: 'demo-valkey', first: 50 })).toMatchObject({ serverlessCacheSnapshots: { __typename: 'ServerlessCacheSnapshotConnection' } });
  });
});

describe(`GET ${POSSIBLE_TYPES_PATH} with API keys configured`, () => {
  let gateway: TestGateway;
  let keys: Record<string, string>;
  beforeAll(async () => {
    const written = writeApiKeys([{ id: 'web-app', scopes: ['snapshots:read'], caches: ['*'] }]);
    keys = written.keys;
    gateway = await startTestGateway({ env: { AUTH_API_KEYS_FILE: written.file } });
  });
  afterAll(() => gateway.close());

  it('refuses a caller without valid credentials as /graphql does, and serves one with them', async () => {
    for (const headers of [{}, { 'x-api-key': 'not-a-key' }] as Record<string, string>[]) {
      const response = await fetch(`${gateway.url}${POSSIBLE_TYPES_PATH}`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    const response = await fetch(`${gateway.url}${POSSIBLE_TYPES_PATH}`, { headers: { 'x-api-key': keys['web-app']! } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(committed);
  });
});

describe('typed documents (client/operations)', () => {
  const files = readdirSync(join(CLIENT, 'operations')).filter((file) => file.endsWith('.graphql'));
  const document = parse(files.map((file) => readFileSync(join(CLIENT, 'operations', file), 'utf8')).join('\n'));
  const fragments = new Map(
    document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);

  it('are valid against the schema', () => {
    expect(validate(schema, document)).toEqual([]);
  });

  it('cover every root field of Query, Mutation and Subscription, one operation each', () => {
    const covered = operations.flatMap((operation) =>
      operation.selectionSet.selections.filter((selection): selection is FieldNode => selection.kind === Kind.FIELD).map((field) => `${operation.operation}.${field.name.value}`),
    );
    const roots = [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
      ['subscription', schema.getSubscriptionType()],
    ] as const;
    const expected = roots.flatMap(([operation, type]) => Object.keys(type?.getFields() ?? {}).map((field) => `${operation}.${field}`));
    expect(expected).toHaveLength(13);
    expect(covered.sort()).toEqual(expected.sort());
    for (const operation of operations) expect(operation.selectionSet.selections).toHaveLength(1);
  });

  /** Every field selected under a type condition, fragments spread in, with `__typename`. */
  const selectedOn = (selectionSet: SelectionSetNode, typeName: string | null): Set<string> => {
    const names = new Set<string>();
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD && typeName === null) names.add(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT && selection.typeCondition?.name.value === typeName) {
        for (const name of selectedOn(selection.selectionSet, null)) names.add(name);
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD && typeName === null) {
        for (const name of selectedOn(fragments.get(selection.name.value)!.selectionSet, null)) names.add(name);
      }
    }
    return names;
  };

  it('select __typename, the Fault fields, and every member’s own fields for each result union', () => {
    const mutation = schema.getMutationType()!;
    for (const operation of operations.filter((definition) => definition.operation === OperationTypeNode.MUTATION)) {
      const field = operation.selectionSet.selections[0] as FieldNode;
      const union = getNamedType(mutation.getFields()[field.name.value]!.type);
      if (!isUnionType(union)) throw new Error(`${field.name.value} is not a union`);
      const selectionSet = field.selectionSet!;
      expect([field.name.value, selectedOn(selectionSet, null).has('__typename')]).toEqual([field.name.value, true]);
      expect([field.name.value, [...selectedOn(selectionSet, 'Fault')].sort()]).toEqual([field.name.value, ['awsRequestId', 'code', 'message']]);
      for (const member of union.getTypes()) {
        const own = Object.keys(member.getFields()).filter((name) => !['code', 'message', 'awsRequestId'].includes(name));
        const selected = selectedOn(selectionSet, member.name);
        expect([field.name.value, member.name, own.filter((name) => !selected.has(name))]).toEqual([field.name.value, member.name, []]);
      }
    }
  });
});
