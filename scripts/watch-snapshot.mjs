#!/usr/bin/env node
// Follows a snapshot's status over the gateway's WebSocket subscription and prints each update:
//   npm run watch-snapshot -- my-first-snapshot [ws://localhost:4000/graphql]
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [name, url = 'ws://localhost:4000/graphql'] = process.argv.slice(2);
if (!name) {
  console.error('usage: npm run watch-snapshot -- SNAPSHOT_NAME [ws://HOST:PORT/graphql]');
  process.exit(2);
}

const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
const query = `subscription ($name: String!) {
  serverlessCacheSnapshotStatusChanged(name: $name) { serverlessCacheSnapshotName status bytesUsedForCache }
}`;

client.subscribe(
  { query, variables: { name } },
  {
    next: (result) => console.log(new Date().toISOString(), JSON.stringify(result.data ?? result)),
    error: (error) => {
      console.error('subscription failed:', JSON.stringify(error));
      void client.dispose();
      process.exitCode = 1;
    },
    complete: () => {
      console.log(new Date().toISOString(), 'complete: the snapshot reached a final status');
      void client.dispose();
    },
  },
);
