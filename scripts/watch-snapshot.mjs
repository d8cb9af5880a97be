#!/usr/bin/env node
// Follows a snapshot's status over the gateway's WebSocket subscription and prints each update:
//   npm run watch-snapshot -- my-first-snapshot [ws://localhost:4000/graphql]
// With authentication on, the credential comes from the environment and goes in connection_init:
//   GATEWAY_TOKEN=<jwt> npm run watch-snapshot -- ...   or   GATEWAY_API_KEY=<key> npm run watch-snapshot -- ...
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [name, url = 'ws://localhost:4000/graphql'] = process.argv.slice(2);
if (!name) {
  console.error('usage: npm run watch-snapshot -- SNAPSHOT_NAME [ws://HOST:PORT/graphql]');
  process.exit(2);
}

const { GATEWAY_TOKEN: token, GATEWAY_API_KEY: apiKey } = process.env;
const connectionParams = token ? { authorization: `Bearer ${token}` } : apiKey ? { 'x-api-key': apiKey } : undefined;
const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams });
const query = `subscription ($name: String!) {
  serverlessCacheSnapshotStatusChanged(name: $name) { serverlessCacheSnapshotName status bytesUsedForCache }
}`;

client.subscribe(
  { query, variables: { name } },
  {
    next: (result) => console.log(new Date().toISOString(), JSON.stringify(result.data ?? result)),
    error: (error) => {
      // A closed socket arrives as a CloseEvent, whose code and reason JSON.stringify would drop.
      const detail = error && typeof error === 'object' && 'code' in error ? `socket closed ${error.code} ${error.reason}` : JSON.stringify(error);
      console.error('subscription failed:', detail);
      void client.dispose();
      process.exitCode = 1;
    },
    complete: () => {
      console.log(new Date().toISOString(), 'complete: the snapshot reached a final status');
      void client.dispose();
    },
  },
);
