import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GraphQLError } from 'graphql';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GatewayError, GatewayErrorCode, maskErrors } from '../src/errors';

const mask = maskErrors();

/** What Apollo hands formatError for an error thrown inside a resolver. */
const fromResolver = (thrown: Error) => {
  const located = new GraphQLError(thrown.message, { path: ['field'], originalError: thrown });
  return [{ message: thrown.message, path: ['field'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } }, located] as const;
};

describe('maskErrors', () => {
  it('replaces an unexpected error by a generic one', () => {
    const [formatted, error] = fromResolver(new Error('connect ECONNREFUSED 10.0.0.1:443'));
    expect(mask(formatted, error)).toEqual({ message: 'Internal server error.', path: ['field'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it("keeps the gateway's own errors, without any stack trace", () => {
    const thrown = new GatewayError(GatewayErrorCode.UPSTREAM_THROTTLED);
    const [formatted, error] = fromResolver(thrown);
    const masked = mask({ ...formatted, extensions: { code: 'UPSTREAM_THROTTLED', stacktrace: ['at y'] } }, error);
    expect(masked.extensions).toEqual({ code: 'UPSTREAM_THROTTLED' });
  });

  it('keeps request errors graphql-js wrote for the client', () => {
    const syntax = new GraphQLError('Syntax Error: Expected Name, found <EOF>.');
    const formatted = { message: syntax.message, extensions: { code: ApolloServerErrorCode.GRAPHQL_PARSE_FAILED } };
    expect(mask(formatted, syntax)).toEqual(formatted);
  });

  it('masks a GraphQLError that claims a request-error code but came from a resolver as a plain error', () => {
    const [formatted, error] = fromResolver(new Error('secret'));
    expect(mask({ ...formatted, extensions: { code: 'BAD_USER_INPUT' } }, error).message).toBe('Internal server error.');
  });
});

describe('the error codes', () => {
  it("each has a row in the README's table of codes, and DEPENDENCY_UNAVAILABLE is retryable", () => {
    const readme = readFileSync(resolve(__dirname, '..', 'README.md'), 'utf8');
    const rows = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]));
    expect(Object.values(GatewayErrorCode).filter((code) => !rows.has(code))).toEqual([]);
    expect(new GatewayError(GatewayErrorCode.DEPENDENCY_UNAVAILABLE).extensions).toEqual({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
  });
});
