/**
 * How a front end calls `createServerlessCacheSnapshot` with the typed documents of the client kit:
 * every member of `CreateServerlessCacheSnapshotResult` handled in a `switch` the compiler checks,
 * a default branch for members this build does not know yet, and the `errors` of the response by
 * `extensions.code`. It uses `fetch` and the document's printed text only, so it runs with any
 * GraphQL client; with Apollo Client, pass `CreateServerlessCacheSnapshotDocument` to `useMutation`
 * or `client.mutate` and the same types flow through (README, "Front ends").
 *
 * Type-checked with the repository (`npm run typecheck`); it is not run against a server.
 */
import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  CreateServerlessCacheSnapshotDocument,
  type CreateServerlessCacheSnapshotMutation,
  type CreateServerlessCacheSnapshotMutationVariables,
} from '../generated/graphql';

/** One GraphQL error as the gateway sends it: a stable `extensions.code`, a message for people. */
export interface GatewayError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; retryable?: boolean; retryAfterSeconds?: number; argumentName?: string };
}

export interface GraphQLResult<TData> {
  data?: TData | null;
  errors?: GatewayError[];
}

export interface Connection {
  url: string;
  /** `{ authorization: 'Bearer …' }` or `{ 'x-api-key': '…' }`. */
  credentials: Record<string, string>;
}

/** A typed request: the document fixes both the variables' type and the answer's. */
export async function execute<TData, TVariables>(
  connection: Connection,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<GraphQLResult<TData>> {
  const response = await fetch(connection.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...connection.credentials },
    body: JSON.stringify({ query: print(document), variables }),
  });
  // 401 (UNAUTHENTICATED), 429 (RATE_LIMITED) and 503 (AUTHENTICATION_UNAVAILABLE) carry a GraphQL
  // body too, with its `errors`; anything else that is not JSON is a failure of the network path.
  if (!(response.headers.get('content-type') ?? '').includes('json')) throw new Error(`HTTP ${response.status} from the gateway`);
  return (await response.json()) as GraphQLResult<TData>;
}

type CreateResult = NonNullable<CreateServerlessCacheSnapshotMutation['createServerlessCacheSnapshot']>;

/**
 * A union member this build does not know: the gateway was deployed with a new member (AWS
 * documented a new fault) before this front end was regenerated. The operation selects
 * `... on Fault { code message awsRequestId }`, so a new fault still arrives with a message to show.
 */
export interface UnknownMember {
  __typename: string;
  code?: string;
  message?: string;
  awsRequestId?: string | null;
}

/**
 * The default branch's value. In `default`, TypeScript has narrowed the result to `never` (every
 * known member has its `case`), which is what makes the switch exhaustive: when `npm run codegen`
 * brings a new member, `unknownMember(result)` stops compiling until it has a case. But at run time
 * the default branch is reached by exactly the members the build does not know, and `never` has no
 * fields to read; this helper takes the `never` (so the exhaustiveness check stays) and gives it
 * back as what it really is then: an object whose `__typename` is some `string`.
 */
export function unknownMember(result: never): UnknownMember {
  const value: unknown = result;
  return value as UnknownMember;
}

/** What the user should be told, and what the app should do next. */
export type Outcome =
  | { kind: 'created'; snapshotName: string; status: string | null }
  | { kind: 'fault'; message: string; awsRequestId: string | null; fieldPath?: string[] }
  | { kind: 'retry-later'; message: string; afterSeconds?: number }
  | { kind: 'sign-in' | 'forbidden' | 'bug' | 'failed'; message: string };

export function outcomeOf(result: CreateResult): Outcome {
  switch (result.__typename) {
    case 'CreateServerlessCacheSnapshotSuccess':
      return { kind: 'created', snapshotName: result.serverlessCacheSnapshot.serverlessCacheSnapshotName, status: result.serverlessCacheSnapshot.status };
    case 'InvalidParameterValueException':
      // `field` is the path in the mutation's input, e.g. ["tags", "3", "key"]: mark that form field.
      return { kind: 'fault', message: result.message, awsRequestId: result.awsRequestId, ...(result.field === null ? {} : { fieldPath: result.field }) };
    case 'ServerlessCacheSnapshotAlreadyExistsFault':
      return { kind: 'fault', message: `The name ${result.serverlessCacheSnapshotName} is taken: choose another.`, awsRequestId: result.awsRequestId, fieldPath: ['serverlessCacheSnapshotName'] };
    case 'ServerlessCacheNotFoundFault':
    case 'InvalidServerlessCacheStateFault':
    case 'ServerlessCacheSnapshotQuotaExceededFault':
      return { kind: 'fault', message: result.message, awsRequestId: result.awsRequestId, fieldPath: ['serverlessCacheName'] };
    case 'TagQuotaPerResourceExceeded':
      return { kind: 'fault', message: `At most ${result.maxTagsPerResource} tags.`, awsRequestId: result.awsRequestId, fieldPath: ['tags'] };
    case 'ServiceLinkedRoleNotFoundFault':
    case 'InvalidParameterCombinationException':
      return { kind: 'fault', message: result.message, awsRequestId: result.awsRequestId };
    default: {
      // Not `const x: never = result; return x;`: that compiles, but gives nothing to show.
      const member = unknownMember(result);
      return { kind: 'fault', message: member.message ?? `The gateway answered ${member.__typename}.`, awsRequestId: member.awsRequestId ?? null };
    }
  }
}

/** What an error's `extensions.code` asks of the client (README, "Retrying safely"). */
export function errorOutcome(error: GatewayError): Outcome & { retrySameKey?: true } {
  const code = error.extensions?.code;
  switch (code) {
    case 'OUTCOME_UNKNOWN':
      // AWS may or may not have made the snapshot: only a retry with the SAME idempotency key finds out.
      return { kind: 'retry-later', message: error.message, afterSeconds: 1, retrySameKey: true };
    case 'UPSTREAM_THROTTLED':
    case 'UPSTREAM_UNAVAILABLE':
    case 'DEPENDENCY_UNAVAILABLE':
      // Nothing was created: retry later, with the same key or a new one.
      return { kind: 'retry-later', message: error.message, ...(error.extensions?.retryAfterSeconds === undefined ? {} : { afterSeconds: error.extensions.retryAfterSeconds }) };
    case 'RATE_LIMITED':
      return { kind: 'retry-later', message: error.message, ...(error.extensions?.retryAfterSeconds === undefined ? {} : { afterSeconds: error.extensions.retryAfterSeconds }) };
    case 'AUTHENTICATION_UNAVAILABLE':
      return { kind: 'retry-later', message: error.message, afterSeconds: 5 };
    case 'UNAUTHENTICATED':
      return { kind: 'sign-in', message: error.message };
    case 'FORBIDDEN':
      return { kind: 'forbidden', message: error.message };
    case 'IDEMPOTENCY_KEY_REUSED':
    case 'BAD_USER_INPUT':
    case 'GRAPHQL_VALIDATION_FAILED':
      // A bug in this client: a key must be new for each user action; the documents are generated.
      return { kind: 'bug', message: error.message };
    default:
      // UPSTREAM_ACCESS_DENIED, INTERNAL_SERVER_ERROR, a code added later: show the message, and
      // retry only what the gateway marks `retryable`.
      return error.extensions?.retryable === true ? { kind: 'retry-later', message: error.message } : { kind: 'failed', message: error.message };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One user action: one idempotency key, kept across retries, so a retry after a lost answer can
 * never make a second snapshot.
 */
export async function createSnapshot(
  connection: Connection,
  input: Omit<CreateServerlessCacheSnapshotMutationVariables['input'], 'idempotencyKey'>,
  attempts = 5,
): Promise<Outcome> {
  const variables: CreateServerlessCacheSnapshotMutationVariables = { input: { ...input, idempotencyKey: randomUUID() } };
  let outcome: Outcome = { kind: 'failed', message: 'not attempted' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const response = await execute(connection, CreateServerlessCacheSnapshotDocument, variables);
    const result = response.data?.createServerlessCacheSnapshot;
    if (result) return outcomeOf(result);
    const error = response.errors?.[0];
    if (error === undefined) return { kind: 'failed', message: 'The gateway answered neither a result nor an error.' };
    const next = errorOutcome(error);
    outcome = next;
    // Only OUTCOME_UNKNOWN is retried here, automatically; the rest is for the user to decide.
    if (!next.retrySameKey) return next;
    await sleep(1000 * (next.kind === 'retry-later' ? (next.afterSeconds ?? 1) : 1) * attempt);
  }
  return outcome;
}
