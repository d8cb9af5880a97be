/**
 * The Apollo Client the console uses, as the README's "Front ends" section builds one: possibleTypes
 * from the gateway (falling back to the client kit's copy), Relay pagination, HTTP for queries and
 * mutations (sent by hash: client/trusted-documents.json holds them as Apollo Client prints them, so
 * the console runs under TRUSTED_DOCUMENTS_ONLY), graphql-ws for the subscription, and the user's
 * credential on both.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import { Kind, OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import bundled from '../../client/possible-types.json';

export type Credential = { kind: 'none' } | { kind: 'token'; value: string } | { kind: 'apiKey'; value: string };

/** The headers one credential is sent as; kept in memory only, never stored. */
export function credentialHeaders(credential: Credential): Record<string, string> {
  switch (credential.kind) {
    case 'token':
      return { authorization: `Bearer ${credential.value}` };
    case 'apiKey':
      return { 'x-api-key': credential.value };
    default:
      return {};
  }
}

/**
 * SHA-256 of a document's text, in lower-case hex, as the manifest keys it; undefined where the page
 * has no `crypto.subtle`. Browsers expose it only in a secure context (https, or localhost), and the
 * gateway may be served over plain http on another host: there the console sends its documents as
 * text, which the manifest holds too, so it still runs, only with larger requests.
 */
const subtle = globalThis.crypto.subtle as SubtleCrypto | undefined;
const sha256 =
  subtle &&
  (async (text: string): Promise<string> => {
    const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
  });

export interface Connection {
  client: ApolloClient;
  close(): void;
}

/** Loads possibleTypes; throws 'UNAUTHENTICATED' when the gateway wants (other) credentials. */
export async function connect(credential: Credential): Promise<Connection> {
  const headers = credentialHeaders(credential);
  const answer = await fetch('/graphql/possible-types', { headers });
  if (answer.status === 401) throw new Error('UNAUTHENTICATED');
  const possibleTypes = answer.ok ? ((await answer.json()) as Record<string, string[]>) : bundled.possibleTypes;
  const cache = new InMemoryCache({
    possibleTypes,
    typePolicies: {
      Query: {
        fields: {
          serverlessCaches: relayStylePagination(),
          serverlessCacheSnapshots: relayStylePagination(['serverlessCacheName', 'snapshotType']),
        },
      },
      ServerlessCache: { fields: { snapshots: relayStylePagination(['snapshotType']) } },
    },
  });
  const http = new HttpLink({ uri: '/graphql', headers });
  // An unregistered hash is answered PERSISTED_QUERY_NOT_FOUND, upon which the link resends the text.
  const queriesAndMutations = sha256 === undefined ? http : new PersistedQueryLink({ sha256 }).concat(http);
  const socket = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: headers,
    lazy: true,
  });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION;
    },
    new GraphQLWsLink(socket),
    queriesAndMutations,
  );
  const client = new ApolloClient({ cache, link });
  return {
    client,
    close() {
      client.stop();
      void socket.dispose();
    },
  };
}
