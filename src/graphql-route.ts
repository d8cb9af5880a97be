/**
 * The `/graphql` route: each request goes where src/trusted-documents/routing.ts sends it (refused,
 * the lean path, or Apollo Server). Apollo's HTTP entry point is called as
 * `@as-integrations/fastify`'s handler would, minus its per-request WHATWG URL parse (of
 * `protocol://hostname/url`, only to extract the query string) and method upper-casing (Node's
 * parser already upper-cases): with the inline-trace plugin disabled too, 20–30 µs less CPU per
 * request on the benchmark (bench/README.md).
 */
import { Readable } from 'node:stream';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { LeanRequest, LeanResponse } from './trusted-documents/lean-path';
import { leanContentType, type TrustedDocumentRouting } from './trusted-documents/routing';

function headerMap(headers: FastifyRequest['headers']): HeaderMap {
  const map = new HeaderMap();
  for (const name in headers) {
    const value = headers[name];
    if (value) map.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return map;
}

/** What the route does besides Apollo: trusted documents' routing and the lean path. */
export interface TrustedDocumentPaths<TContext> {
  routing: TrustedDocumentRouting;
  lean: { run(request: LeanRequest, context: TContext): Promise<LeanResponse> };
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Told which path answered each request (refused: with the error), for metrics and the log. */
  routed: (path: 'lean' | 'apollo' | 'refused', request: FastifyRequest, refusal?: GraphQLFormattedError) => void;
}

/** A response of one error, laid out as Apollo lays its own out. */
const errorsBody = (error: GraphQLFormattedError): string => `${JSON.stringify({ errors: [error] })}\n`;

export function graphqlRouteHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  context: (request: FastifyRequest) => Promise<TContext>,
  trusted: TrustedDocumentPaths<TContext>,
) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<string | FastifyReply> => {
    const query = request.url.indexOf('?');
    const search = query === -1 ? '' : request.url.slice(query);
    const route = trusted.routing.route({ method: request.method, search, headers: request.headers, body: request.body });
    if (route.to === 'refused') {
      // Refused before anything ran; the same mask as every other error.
      const { http, ...extensions } = route.error.extensions as { http?: { status?: number } };
      const refusal = trusted.formatError({ ...route.error.toJSON(), extensions }, route.error);
      trusted.routed('refused', request, refusal);
      void reply.code(http?.status ?? 400).type('application/json; charset=utf-8');
      return errorsBody(refusal);
    }
    trusted.routed(route.to, request);
    if (route.to === 'lean') {
      const contentType = leanContentType(request.headers.accept) ?? 'application/json; charset=utf-8';
      let answer: LeanResponse;
      try {
        answer = await trusted.lean.run({ ...route, contentType }, await context(request));
      } catch (error) {
        // What Apollo answers a failure outside execution with: a 500, masked like every error.
        request.log.error({ err: error }, 'GraphQL request failed outside execution');
        const internal = new GraphQLError('Internal server error', { originalError: error instanceof Error ? error : undefined });
        void reply.code(500).type(contentType);
        return errorsBody(trusted.formatError({ message: internal.message, extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR } }, internal));
      }
      for (const [name, value] of answer.headers) void reply.header(name, value);
      void reply.code(answer.status);
      return answer.body;
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: request.method,
        headers: headerMap(request.headers),
        search: route.search,
        body: route.body,
      },
      context: () => context(request),
    });
    for (const [name, value] of response.headers) void reply.header(name, value);
    void reply.code(response.status ?? 200);
    if (response.body.kind === 'complete') return response.body.string;
    return reply.send(Readable.from(response.body.asyncIterator));
  };
}

/** `charset=utf-8`, `charset="UTF8"`…: a content type's charset parameter, lower-cased, if any. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

/**
 * HTTP 415 for a body declared in any charset but UTF-8, before it is read: JSON is UTF-8 (RFC 8259),
 * and a body decoded as UTF-8 while declared otherwise would run something the client did not send.
 */
export const refuseUnsupportedCharset: onRequestHookHandler = (request, reply, done) => {
  const contentType = request.headers['content-type'];
  const charset = contentType === undefined ? undefined : charsetOf(contentType);
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return done();
  void reply
    .code(415)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ errors: [{ message: `Request bodies must be UTF-8; this one is declared ${charset}.`, extensions: { code: 'BAD_REQUEST' } }] }));
};
