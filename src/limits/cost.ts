/**
 * What an operation costs, priced before it runs from the document alone: each field costs 1, and
 * the items of a list field (a Relay connection's `edges` and `nodes`) cost as many times as its
 * `first` asks for (default 20, at most 50, the schema's own bounds), so nested lists are priced as
 * what they fan out to. `pageInfo` and other fields of a connection are paid once; `__typename` and
 * introspection fields are free (introspection has its own depth rule). A subscription field also
 * pays `SUBSCRIPTION_START_COST` for the poll it starts.
 *
 * graphql-armor's cost rule weighs fields by depth, not by `first`; graphql-query-complexity's
 * estimators see a field's own arguments but not its parent's, so neither can price a connection's
 * items by the connection's `first`. This walk is small and does.
 */
import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination/connection';

/**
 * What starting a subscription costs on top of its fields: it starts (or joins) a poll whose first
 * describe is an AWS call, so a caller subscribing to names over and over pays for those calls.
 */
export const SUBSCRIPTION_START_COST = 10;

/** The fields of a connection that repeat once per item. */
const PER_ITEM_FIELDS = new Set(['edges', 'nodes']);

interface Walk {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** The request's variables as execution sees them; coerced only when a `first` reads one. */
  variables(): Record<string, unknown>;
  /** Set when the price depended on a variable, and so cannot be kept for the document. */
  readVariables: boolean;
  /**
   * Each named fragment's cost and field count, worked out once: a fragment spreading another
   * twice, down a chain, would otherwise double the work with every link (a 1 kB document could
   * hold the event loop for hours). A fragment's price does not depend on where it is spread.
   */
  fragmentCosts: Map<string, number>;
  fragmentCounts: Map<string, number>;
}

/**
 * Prices that depend on the document alone, kept per parsed document (Apollo hands the same
 * DocumentNode for the same query text) and operation name: most operations are priced once.
 */
const staticPrices = new WeakMap<DocumentNode, Map<string, PricedOperation>>();

export interface PricedOperation {
  operation: OperationDefinitionNode;
  /** The operation's cost (see above). */
  cost: number;
  /** Root fields of a mutation, aliases and fragments included: how many mutations it runs. */
  mutations: number;
}

/** Prices the operation `operationName` selects in `document`; null when the document names none. */
export function priceOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): PricedOperation | null {
  const cached = staticPrices.get(document)?.get(operationName ?? '');
  if (cached !== undefined) return cached;
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const rootType = schema.getRootType(operation.operation);
  if (rootType === undefined || rootType === null) return null;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  let coerced: Record<string, unknown> | undefined;
  const walk: Walk = {
    schema,
    fragments,
    // As execution will see them, defaults included: `first: $n` with `$n: Int = 50` left out of the
    // request runs with 50, and is priced so. Variables that do not coerce fail the request anyway;
    // they are priced as sent.
    variables: () => (coerced ??= getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}).coerced ?? variables ?? {}),
    readVariables: false,
    fragmentCosts: new Map(),
    fragmentCounts: new Map(),
  };
  const starts = operation.operation === OperationTypeNode.SUBSCRIPTION ? countFields(walk, operation.selectionSet, new Set()) : 0;
  const priced: PricedOperation = {
    operation,
    cost: selectionSetCost(walk, operation.selectionSet, rootType, new Set()) + starts * SUBSCRIPTION_START_COST,
    mutations: operation.operation === OperationTypeNode.MUTATION ? countFields(walk, operation.selectionSet, new Set()) : 0,
  };
  if (!walk.readVariables) {
    const byName = staticPrices.get(document) ?? new Map<string, PricedOperation>();
    byName.set(operationName ?? '', priced);
    staticPrices.set(document, byName);
  }
  return priced;
}

function selectionSetCost(walk: Walk, selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, fragmentsSeen: ReadonlySet<string>): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const field = fieldOf(parentType, name);
      if (field === undefined) continue;
      const childType = getNamedType(field.type);
      const children = selection.selectionSet;
      if (children === undefined || !isCompositeType(childType)) {
        cost += 1;
      } else if (field.args.some((arg) => arg.name === 'first')) {
        cost += 1 + connectionCost(walk, children, childType, pageSizeOf(walk, field, selection), fragmentsSeen);
      } else {
        cost += 1 + selectionSetCost(walk, children, childType, fragmentsSeen);
      }
    } else {
      cost += memoized(walk.fragmentCosts, selection, () => {
        const next = nextSelectionSet(walk, selection, parentType, fragmentsSeen);
        return next === undefined ? 0 : selectionSetCost(walk, next.selectionSet, next.type, next.fragmentsSeen);
      });
    }
  }
  return cost;
}

/** A named fragment's figure from `memo`, worked out once; an inline fragment's, every time. */
function memoized(memo: Map<string, number>, selection: Exclude<SelectionSetNode['selections'][number], { kind: Kind.FIELD }>, work: () => number): number {
  if (selection.kind === Kind.INLINE_FRAGMENT) return work();
  const known = memo.get(selection.name.value);
  if (known !== undefined) return known;
  const figure = work();
  memo.set(selection.name.value, figure);
  return figure;
}

/** A connection: its per-item fields `first` times, the rest (pageInfo) once. */
function connectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, first: number, fragmentsSeen: ReadonlySet<string>): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    const single: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [selection] };
    const itemCost = selectionSetCost(walk, single, type, fragmentsSeen);
    // A fragment on a connection is priced as if all of it repeated per item: never less than it is.
    const perItem = selection.kind !== Kind.FIELD || PER_ITEM_FIELDS.has(selection.name.value);
    cost += perItem ? first * itemCost : itemCost;
  }
  return cost;
}

function countFields(walk: Walk, selectionSet: SelectionSetNode, fragmentsSeen: ReadonlySet<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) count += 1;
    } else {
      count += memoized(walk.fragmentCounts, selection, () => {
        const next = nextSelectionSet(walk, selection, undefined, fragmentsSeen);
        return next === undefined ? 0 : countFields(walk, next.selectionSet, next.fragmentsSeen);
      });
    }
  }
  return count;
}

function nextSelectionSet(
  walk: Walk,
  selection: Exclude<SelectionSetNode['selections'][number], { kind: Kind.FIELD }>,
  parentType: GraphQLCompositeType | undefined,
  fragmentsSeen: ReadonlySet<string>,
): { selectionSet: SelectionSetNode; type: GraphQLCompositeType; fragmentsSeen: ReadonlySet<string> } | undefined {
  if (selection.kind === Kind.INLINE_FRAGMENT) {
    const type = selection.typeCondition === undefined ? parentType : walk.schema.getType(selection.typeCondition.name.value);
    return type !== undefined && isCompositeType(type) ? { selectionSet: selection.selectionSet, type, fragmentsSeen } : undefined;
  }
  const name = selection.name.value;
  const fragment = walk.fragments.get(name);
  // Validation refuses fragment cycles; this guard only keeps a bad document from looping here.
  if (fragment === undefined || fragmentsSeen.has(name)) return undefined;
  const type = walk.schema.getType(fragment.typeCondition.name.value);
  return type !== undefined && isCompositeType(type) ? { selectionSet: fragment.selectionSet, type, fragmentsSeen: new Set([...fragmentsSeen, name]) } : undefined;
}

function fieldOf(type: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

/** The page size a connection field asks for, within the schema's bounds. */
function pageSizeOf(walk: Walk, field: GraphQLField<unknown, unknown>, node: FieldNode): number {
  const argument = node.arguments?.find((a) => a.name.value === 'first');
  let first: unknown;
  if (argument !== undefined) {
    if (argument.value.kind === Kind.VARIABLE) walk.readVariables = true;
    try {
      first = getArgumentValues(field, node, argument.value.kind === Kind.VARIABLE ? walk.variables() : {}).first;
    } catch {
      // Arguments that do not coerce fail the request anyway; price it as the default page.
      first = undefined;
    }
  }
  return typeof first === 'number' && Number.isInteger(first) ? Math.min(MAX_PAGE_SIZE, Math.max(1, first)) : DEFAULT_PAGE_SIZE;
}
