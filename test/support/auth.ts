/**
 * Credentials for end-to-end tests: a real OIDC issuer on loopback (the development issuer, keys
 * made with jose), an API key file in a temporary folder, servers that accept connections and never
 * answer, and raw HTTP requests for what fetch cannot send (a header twice).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys';
import { DevIssuer } from '../../src/dev-issuer/issuer';

export const AUDIENCE = 'snapshot-gateway-tests';

export async function startIssuer(): Promise<DevIssuer> {
  const issuer = await DevIssuer.create(AUDIENCE);
  await issuer.listen(0);
  return issuer;
}

export interface KeySpec {
  id: string;
  scopes: string[];
  caches: string[];
}

/** Writes an API key file; returns its path and each key by id. */
export function writeApiKeys(specs: KeySpec[], file = join(mkdtempSync(join(tmpdir(), 'api-keys-')), 'keys.json')) {
  const keys: Record<string, string> = {};
  const entries = specs.map((spec) => {
    const key = generateApiKey();
    keys[spec.id] = key;
    return { ...spec, sha256: hashApiKey(key) };
  });
  writeFileSync(file, JSON.stringify(entries));
  return { file, keys };
}

interface MisbehavingServer {
  url: string;
  /** Connections the server holds open right now. */
  openConnections(): number;
  close(): Promise<void>;
}

/** A TCP server on loopback that does `onConnection` to each connection and keeps count of them. */
async function startTcpServer(onConnection: (socket: Socket) => void): Promise<MisbehavingServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    openConnections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Accepts connections and never says a word (a hung issuer). */
export function startSilentServer(): Promise<MisbehavingServer> {
  return startTcpServer(() => undefined);
}

/** Answers 200 with its headers, then never sends the body (a stalled key set). */
export function startStallingServer(): Promise<MisbehavingServer> {
  return startTcpServer((socket) =>
    socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"keys":')),
  );
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** POSTs a GraphQL request over a bare socket, with headers exactly as listed, repeated names included. */
export function rawGraphQL(url: string, rawHeaders: string[], query: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const body = Buffer.from(JSON.stringify({ query }));
  const lines = ['POST /graphql HTTP/1.1', `host: ${hostname}:${port}`, 'content-type: application/json', `content-length: ${body.length}`, 'connection: close'];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body])));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n\r\n')) as RawResponse['body'] });
    });
  });
}
