/**
 * The Apollo Client the console uses, as the README's "Front ends" section builds one: possibleTypes
 * from the gateway (falling back to the client kit's copy), Relay pagination, HTTP for queries and
 * mutations, graphql-ws for the subscription, and the user's credential on both.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
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
    http,
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
