/**
 * Where a GraphQL HTTP request goes, decided before Apollo Server sees it:
 *
 * - a registered document named by id, as `{"documentId": "sha256:<hex>"}` (the GraphQL over HTTP
 *   persisted-documents convention) or as Apollo Client's `extensions.persistedQuery.sha256Hash`,
 *   has its text filled in, so every later stage sees an ordinary request;
 * - with `TRUSTED_DOCUMENTS_ONLY=true`, a document that is not registered is refused here, on the
 *   same terms as on the WebSocket (`refusal` below);
 * - a registered document sent the plain way (POST, JSON, no extension but `persistedQuery` and `clientLibrary`,
 *   a query or mutation, no introspection, a response type Apollo would answer with JSON) runs on
 *   the lean path (src/trusted-documents/lean-path.ts); everything else goes to Apollo unchanged.
 */
import { GraphQLError, getOperationAST, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GatewayError, GatewayErrorCode } from '../errors';
import type { TrustedDocument, TrustedDocuments } from './manifest';

/** What a GraphQL request carries, as Fastify parsed it. */
export interface GraphQLHttpRequest {
  method: string;
  /** The query string, with its `?`, or ''. */
  search: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type Route =
  | { to: 'lean'; document: TrustedDocument; operation: OperationDefinitionNode; variables: Record<string, unknown> | undefined }
  | { to: 'apollo'; search: string; body: unknown }
  | { to: 'refused'; error: GraphQLError };

/** Response types Apollo answers a single result with, for the `accept` values clients send. */
const LEAN_CONTENT_TYPES = new Map<string | undefined, string>([
  [undefined, 'application/json; charset=utf-8'],
  ['*/*', 'application/json; charset=utf-8'],
  ['application/json', 'application/json; charset=utf-8'],
  ['application/json; charset=utf-8', 'application/json; charset=utf-8'],
  // Apollo Client's and graphql-http's default.
  ['application/graphql-response+json,application/json;q=0.9', 'application/graphql-response+json; charset=utf-8'],
  ['application/graphql-response+json, application/json;q=0.9', 'application/graphql-response+json; charset=utf-8'],
  ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
]);

/** The response type the lean path answers `accept` with; undefined when only Apollo knows. */
export function leanContentType(accept: string | string[] | undefined): string | undefined {
  return Array.isArray(accept) ? undefined : LEAN_CONTENT_TYPES.get(accept);
}

const DOCUMENT_ID = /^sha256:([0-9a-f]{64})$/;
const BODY_KEYS = new Set(['query', 'operationName', 'variables', 'extensions', 'documentId']);
/**
 * Extensions the lean path answers as Apollo does: the persisted-query hash, and Apollo Client 4's
 * `clientLibrary` (its name and version, which Apollo Server ignores), so a stock Apollo Client
 * takes the lean path.
 */
const LEAN_EXTENSIONS = new Set(['persistedQuery', 'clientLibrary']);

const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.BAD_REQUEST, http: { status: 400 } } });

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export class TrustedDocumentRouting {
  constructor(
    private readonly documents: TrustedDocuments,
    /** TRUSTED_DOCUMENTS_ONLY: refuse what is not registered. */
    private readonly only: boolean,
  ) {}

  /** Why `text` may not run (TRUSTED_DOCUMENTS_ONLY and not registered); undefined when it may. */
  refusal(text: string | undefined): GraphQLError | undefined {
    if (!this.only || (text !== undefined && this.documents.byText(text) !== undefined)) return undefined;
    return new GatewayError(GatewayErrorCode.PERSISTED_QUERY_NOT_IN_LIST, undefined, { http: { status: 400 } });
  }

  route(request: GraphQLHttpRequest): Route {
    // Nothing registered and nothing required: Apollo, untouched, at no cost.
    if (this.documents.size === 0 && !this.only) return { to: 'apollo', search: request.search, body: request.body };
    if (request.method === 'POST') return this.routePost(request);
    if (request.method === 'GET') return this.routeGet(request);
    return { to: 'apollo', search: request.search, body: request.body };
  }

  private routePost(request: GraphQLHttpRequest): Route {
    const { body } = request;
    // Malformed bodies get Apollo's own answers.
    if (!isRecord(body)) return { to: 'apollo', search: request.search, body };
    const named = this.named(body.documentId, body.query, body.extensions);
    if (named instanceof GraphQLError) return { to: 'refused', error: named };
    const document = named ?? (typeof body.query === 'string' ? this.documents.byText(body.query) : undefined);
    if (document === undefined) {
      // Without a query, Apollo answers the request (a persisted-query miss, or a bad request).
      const refused = typeof body.query === 'string' ? this.refusal(body.query) : undefined;
      if (refused !== undefined) return { to: 'refused', error: refused };
      return { to: 'apollo', search: request.search, body };
    }
    const operation = this.leanOperation(request, body, document);
    if (operation === undefined) {
      return { to: 'apollo', search: request.search, body: named === undefined ? body : withoutDocumentId({ ...body, query: document.text }) };
    }
    return { to: 'lean', document, operation, variables: isRecord(body.variables) ? body.variables : undefined };
  }

  private routeGet(request: GraphQLHttpRequest): Route {
    const params = new URLSearchParams(request.search);
    let extensions: unknown;
    try {
      extensions = params.has('extensions') ? JSON.parse(params.get('extensions')!) : undefined;
    } catch {
      return { to: 'apollo', search: request.search, body: request.body };
    }
    const query = params.get('query') ?? undefined;
    const named = this.named(params.get('documentId') ?? undefined, query, extensions);
    if (named instanceof GraphQLError) return { to: 'refused', error: named };
    if (named !== undefined) {
      params.delete('documentId');
      params.set('query', named.text);
      return { to: 'apollo', search: `?${params.toString()}`, body: request.body };
    }
    const refused = query === undefined ? undefined : this.refusal(query);
    if (refused !== undefined) return { to: 'refused', error: refused };
    return { to: 'apollo', search: request.search, body: request.body };
  }

  /**
   * The registered document a request names by id (`documentId`, or a persisted-query hash sent
   * without its text); an error for an id that cannot be used; undefined when it names none.
   */
  private named(documentId: unknown, query: unknown, extensions: unknown): TrustedDocument | GraphQLError | undefined {
    // `null` is no id, as Apollo reads an absent field.
    if (documentId !== undefined && documentId !== null) {
      if (query !== undefined) return badRequest('Send either `documentId` or `query`, not both.');
      const hash = typeof documentId === 'string' ? DOCUMENT_ID.exec(documentId)?.[1] : undefined;
      if (hash === undefined) return badRequest('`documentId` must be "sha256:" followed by the document\'s lower-case hex SHA-256 hash.');
      return (
        this.documents.byId(hash) ??
        new GraphQLError(`No registered document has the id sha256:${hash}.`, {
          extensions: { code: ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND, http: { status: 400 } },
        })
      );
    }
    const persisted = isRecord(extensions) && isRecord(extensions.persistedQuery) ? extensions.persistedQuery : undefined;
    // With its text, or of a version Apollo does not know, Apollo checks it as it always does.
    if (persisted === undefined || query !== undefined || persisted.version !== 1 || typeof persisted.sha256Hash !== 'string') return undefined;
    return this.documents.byId(persisted.sha256Hash);
  }

  /** The operation to run on the lean path, when the request is one it answers as Apollo would. */
  private leanOperation(request: GraphQLHttpRequest, body: Record<string, unknown>, document: TrustedDocument): OperationDefinitionNode | undefined {
    if (document.introspects) return undefined;
    if (!contentTypeIsJson(request.headers['content-type']) || leanContentType(request.headers.accept) === undefined) return undefined;
    if (Object.keys(body).some((key) => !BODY_KEYS.has(key))) return undefined;
    if (body.variables !== undefined && body.variables !== null && !isRecord(body.variables)) return undefined;
    if (body.operationName !== undefined && body.operationName !== null && typeof body.operationName !== 'string') return undefined;
    if (body.extensions !== undefined && body.extensions !== null) {
      if (!isRecord(body.extensions) || Object.keys(body.extensions).some((key) => !LEAN_EXTENSIONS.has(key))) return undefined;
      // Apollo refuses a persisted query of another version, or whose hash is not the text's.
      const persisted = body.extensions.persistedQuery;
      if (persisted !== undefined && !(isRecord(persisted) && persisted.version === 1 && persisted.sha256Hash === document.hash)) return undefined;
    }
    const operation = typeof body.operationName === 'string' ? (getOperationAST(document.document, body.operationName) ?? undefined) : document.operation;
    if (operation === undefined || operation.operation === OperationTypeNode.SUBSCRIPTION) return undefined;
    return operation;
  }
}

function contentTypeIsJson(contentType: string | string[] | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

function withoutDocumentId(body: Record<string, unknown>): Record<string, unknown> {
  const { documentId: _documentId, ...rest } = body;
  return rest;
}
