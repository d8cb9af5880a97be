/**
 * `GET /graphql/possible-types`: every union and interface of the executable schema with its member
 * types, as Apollo Client's `possibleTypes` option takes it (`{ Fault: [...], Node: [...], ... }`).
 * Computed once, from the schema this gateway serves, so a front end that loads it at start-up
 * always matches the deployed gateway, even one deployed with a union member the front end's build
 * does not know. The same map is committed as client/possible-types.json (GraphQL Code Generator).
 *
 * Behind the same authentication as /graphql (it describes the schema, which introspection may
 * hide); `ETag` plus `cache-control: no-cache`, so clients revalidate and get a 304 while it holds.
 */
import { createHash } from 'node:crypto';
import { isAbstractType, type GraphQLSchema } from 'graphql';
import type { FastifyInstance, onRequestHookHandler, onRequestAsyncHookHandler } from 'fastify';

export const POSSIBLE_TYPES_PATH = '/graphql/possible-types';

export type PossibleTypes = Record<string, string[]>;

/** Abstract type name → member names, both sorted, so the body (and its ETag) is stable. */
export function possibleTypesOf(schema: GraphQLSchema): PossibleTypes {
  const map: PossibleTypes = {};
  const names = Object.keys(schema.getTypeMap())
    .filter((name) => !name.startsWith('__'))
    .sort();
  for (const name of names) {
    const type = schema.getType(name);
    if (type === undefined || !isAbstractType(type)) continue;
    map[name] = schema
      .getPossibleTypes(type)
      .map((member) => member.name)
      .sort();
  }
  return map;
}

/** True when `If-None-Match` names this entity tag (weak or strong, RFC 9110 §13.1.2) or is `*`. */
export function matchesEntityTag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

export function registerPossibleTypesRoute(
  app: FastifyInstance,
  schema: GraphQLSchema,
  onRequest: (onRequestHookHandler | onRequestAsyncHookHandler)[],
): void {
  const body = JSON.stringify(possibleTypesOf(schema));
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  app.route({
    method: 'GET',
    url: POSSIBLE_TYPES_PATH,
    onRequest,
    handler: (request, reply) => {
      void reply.header('etag', etag).header('cache-control', 'no-cache');
      if (matchesEntityTag(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(body);
    },
  });
}
