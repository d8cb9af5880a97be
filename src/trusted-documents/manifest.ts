/**
 * Trusted documents: the operations front ends registered ahead of time, read once at start from
 * `TRUSTED_DOCUMENTS_FILE`, in the format GraphQL Code Generator's client preset writes with
 * `persistedDocuments` (a JSON object of bare hex SHA-256 hash → document text).
 *
 * Every document is checked at start with the rules every request meets (graphql-js's, the depth,
 * alias, directive and token limits, introspection when it is off): a manifest holding one the
 * gateway would refuse fails the start, naming the hash, instead of failing each request. What is
 * kept is the parsed document, so a request naming a hash skips parsing and validation.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BREAK, getOperationAST, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { GraphQLConfig } from '../config';
import { documentValidator } from '../graphql-document';
import { StartupError } from '../startup-checks';

/** A registered document, parsed and validated. */
export interface TrustedDocument {
  /** Lower-case hex SHA-256 of `text`. */
  hash: string;
  text: string;
  document: DocumentNode;
  /** The document's only operation; undefined when it holds several (the request must name one). */
  operation: OperationDefinitionNode | undefined;
  /** Whether it selects `__schema` or `__type` anywhere (introspection runs through Apollo). */
  introspects: boolean;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export class TrustedDocuments {
  private constructor(private readonly byHash: ReadonlyMap<string, TrustedDocument>) {}

  /** No manifest: nothing is trusted, and nothing is refused for not being trusted. */
  static readonly NONE = new TrustedDocuments(new Map());

  /**
   * Reads and checks the manifest; any problem is a `StartupError` naming the setting and the
   * entry, since a gateway that refuses the front ends' own documents should not start.
   */
  static async load(file: string, schema: GraphQLSchema, config: GraphQLConfig): Promise<TrustedDocuments> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new StartupError(`TRUSTED_DOCUMENTS_FILE=${file} cannot be read as JSON (${(error as Error).message.split('\n')[0]})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new StartupError(`TRUSTED_DOCUMENTS_FILE=${file} must hold one JSON object of SHA-256 hash → document`);
    }
    return TrustedDocuments.fromEntries(Object.entries(parsed as Record<string, unknown>), schema, config, `TRUSTED_DOCUMENTS_FILE=${file}`);
  }

  private static fromEntries(entries: [string, unknown][], schema: GraphQLSchema, config: GraphQLConfig, source: string): TrustedDocuments {
    // The same checks a request meets, introspection included: a trusted document is not a way
    // around GRAPHQL_INTROSPECTION=false.
    const validateDocument = documentValidator(schema, config);
    const byHash = new Map<string, TrustedDocument>();
    for (const [hash, text] of entries) {
      if (!HEX_SHA256.test(hash)) throw new StartupError(`${source}: "${hash.slice(0, 80)}" is not a lower-case hex SHA-256 hash`);
      if (typeof text !== 'string') throw new StartupError(`${source}: the entry ${hash} is not a document string`);
      if (sha256Hex(text) !== hash) throw new StartupError(`${source}: the entry ${hash} does not hash to its key (SHA-256 of the text, as written)`);
      const checked = validateDocument(text);
      if ('errors' in checked) throw new StartupError(`${source}: the entry ${hash} would be refused: ${checked.errors[0]?.message ?? 'invalid'}`);
      const { document } = checked;
      byHash.set(hash, { hash, text, document, operation: getOperationAST(document) ?? undefined, introspects: introspects(document) });
    }
    return new TrustedDocuments(byHash);
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The document registered under `hash` (bare lower-case hex), if any. */
  byId(hash: string): TrustedDocument | undefined {
    return this.byHash.get(hash);
  }

  /** The registered document whose text is exactly `text`, if any. */
  byText(text: string): TrustedDocument | undefined {
    return this.byHash.size === 0 ? undefined : this.byHash.get(sha256Hex(text));
  }
}

/** Whether the document selects `__schema` or `__type` anywhere. */
function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
