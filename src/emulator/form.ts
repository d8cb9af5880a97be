/**
 * Decoder for awsQuery request parameters (`application/x-www-form-urlencoded`).
 *
 * Knows nothing about ElastiCache: it turns one or more encoded strings into a flat parameter map
 * and reads Query-protocol lists (`Name.Item.N[.Field]`) out of it. Errors are `FormError`s whose
 * messages name the offending parameter; the caller decides which AWS error they become.
 */

export class FormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormError';
  }
}

/** One list item: its 1-based wire index and its fields (`''` holds a scalar item's own value). */
export interface FormListItem {
  index: number;
  fields: ReadonlyMap<string, string>;
}

// Wire indices are 1-based decimal without leading zeros; the cap keeps them exact integers and
// rejects absurd values early.
const INDEX = /^[1-9]\d{0,8}$/;

export class FormParams {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  /**
   * Decodes form-encoded sources (e.g. the query string and the body) into one parameter set.
   * `URLSearchParams` applies the form rules, so `+` is a space, as botocore may send it.
   * A parameter given twice is ambiguous and rejected rather than silently picking one.
   */
  static decode(...sources: string[]): FormParams {
    const values = new Map<string, string>();
    for (const source of sources) {
      for (const [name, value] of new URLSearchParams(source)) {
        if (values.has(name)) throw new FormError(`Parameter ${name} appears more than once.`);
        values.set(name, value);
      }
    }
    return new FormParams(values);
  }

  static of(values: Record<string, string>): FormParams {
    return new FormParams(new Map(Object.entries(values)));
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
  }

  /**
   * Reads the list `listName` whose items are named `memberName` (`Tags.Tag.N.Key`), ordered by
   * wire index; indices may be sparse or out of order on the wire. Returns `undefined` when the
   * list is absent and `[]` for the explicit empty list `listName=` the SDK sends for `[]`.
   */
  list(listName: string, memberName: string): FormListItem[] | undefined {
    const listPrefix = `${listName}.`;
    const itemPrefix = `${listName}.${memberName}.`;
    const bare = this.values.get(listName);
    if (bare !== undefined && bare !== '') {
      throw new FormError(`Parameter ${listName} must be empty (an empty list) or given as ${itemPrefix}N.`);
    }
    const items = new Map<number, Map<string, string>>();
    for (const [name, value] of this.values) {
      if (!name.startsWith(listPrefix)) continue;
      if (!name.startsWith(itemPrefix)) {
        throw new FormError(`Unexpected parameter ${name}: items of ${listName} are named ${itemPrefix}N.`);
      }
      const rest = name.slice(itemPrefix.length);
      const dot = rest.indexOf('.');
      const indexText = dot === -1 ? rest : rest.slice(0, dot);
      const field = dot === -1 ? '' : rest.slice(dot + 1);
      if (!INDEX.test(indexText)) {
        throw new FormError(`Unexpected parameter ${name}: list indices are whole numbers starting at 1.`);
      }
      if (dot !== -1 && field === '') throw new FormError(`Unexpected parameter ${name}: empty field name.`);
      const index = Number(indexText);
      let fields = items.get(index);
      if (fields === undefined) {
        fields = new Map();
        items.set(index, fields);
      }
      fields.set(field, value);
    }
    if (items.size === 0) return bare === undefined ? undefined : [];
    return [...items.entries()].sort(([a], [b]) => a - b).map(([index, fields]) => ({ index, fields }));
  }
}
