/**
 * The executable schema: the SDL files in schema/ (the contract) joined to the resolvers.
 * Built once at start-up; resolvers that do not match the SDL fail the start, not a request.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers';
import { recordMutationResults } from './observability/operations';

/** schema/ beside src/ (in a build, copied beside dist/src/). */
export const SCHEMA_DIRECTORY = resolve(__dirname, '..', 'schema');

export function loadTypeDefs(directory: string = SCHEMA_DIRECTORY): string[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(directory, file), 'utf8'));
}

export function buildSchema(): GraphQLSchema {
  return recordMutationResults(
    makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers,
    resolverValidationOptions: {
      requireResolversToMatchSchema: 'error',
      requireResolversForResolveType: 'error',
      },
    }),
  );
}
