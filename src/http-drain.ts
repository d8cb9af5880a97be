/**
 * The gateway's own drain of its HTTP server, in place of `fastifyApolloDrainPlugin`, whose limit
 * is a fixed 10 s: shorter than one AWS call may take (`UPSTREAM_CALL_DEADLINE_MS`), so a create
 * still waiting for AWS at a stop had its connection reset while AWS went on to create the snapshot.
 *
 * Here the limit is `SHUTDOWN_GRACE_MS`. Until it passes, every request that has arrived is
 * answered; each answer from then on says `Connection: close`, so clients do not send another
 * request on a connection that is about to go.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface DrainOutcome {
  /** Requests still running when the grace ran out, whose connections were then closed. */
  cutRequests: number;
  /** WebSockets still open when the grace ran out (their close handshake had not finished). */
  cutWebSockets: number;
}

export class HttpDrain {
  private readonly running = new Set<ServerResponse>();
  private readonly webSockets = new Set<Duplex>();
  private draining = false;

  constructor(private readonly server: Server) {
    // Ahead of Fastify's own listener, so the header is set before any handler can answer.
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      this.running.add(response);
      if (this.draining) response.setHeader('connection', 'close');
      response.once('close', () => this.running.delete(response));
    });
    server.prependListener('upgrade', (_request: IncomingMessage, socket: Duplex) => {
      if (this.draining) {
        // On a connection opened before the stop; the WebSocket server is already gone.
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.webSockets.add(socket);
      socket.once('close', () => this.webSockets.delete(socket));
    });
  }

  /**
   * Stops accepting connections and waits, within `graceMs`, for every connection to end: Node
   * closes the idle ones at once, each running request ends its own with its answer (`Connection:
   * close`), a request still arriving is answered the same way, and WebSockets end with their close
   * handshake (the caller starts it). Then closes whatever is left.
   *
   * Nothing is destroyed before the grace runs out: destroying a socket drops what it has not yet
   * flushed, which can be the end of an answer just written.
   */
  async drain(graceMs: number): Promise<DrainOutcome> {
    this.draining = true;
    for (const response of this.running) if (!response.headersSent) response.setHeader('connection', 'close');
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => {
      timer = setTimeout(() => resolve('grace over'), graceMs);
    });
    const first = await Promise.race([closed, graceOver]);
    clearTimeout(timer);
    if (first !== 'grace over') return { cutRequests: 0, cutWebSockets: 0 };
    const outcome = { cutRequests: this.running.size, cutWebSockets: this.webSockets.size };
    this.server.closeAllConnections();
    for (const socket of this.webSockets) socket.destroy();
    await closed;
    return outcome;
  }
}
