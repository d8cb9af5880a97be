/**
 * The emulator's HTTP server: routes `/` to the AWS endpoint and `/_emulator/…` to the admin API,
 * reads bodies with a size limit, and shuts down without leaving sockets or handlers behind.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import { ADMIN_PREFIX, type AdminApi } from './admin-api';
import { sendAwsError, type AwsApi } from './aws-api';
import { AwsError } from './faults';
import { BodyTooLargeError, readBody, sendJson } from './http';

const AWS_BODY_LIMIT = 1024 * 1024;
// How long close() lets running requests finish before cutting their connections.
const CLOSE_GRACE_MS = 1000;
const ADMIN_BODY_LIMIT = 64 * 1024;

export interface EmulatorServerDeps {
  aws: AwsApi;
  admin: AdminApi;
  logger: Logger;
}

function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  // Concatenate rather than resolve against a base, so `//x` stays a path instead of becoming a host.
  try {
    return new URL(target.startsWith('/') ? `http://emulator${target}` : target);
  } catch {
    return new URL('http://emulator/invalid-request-target');
  }
}

export class EmulatorHttpServer {
  private readonly server: Server;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: EmulatorServerDeps) {
    this.server = createServer((req, res) => {
      const work = this.dispatch(req, res).catch((err: unknown) => {
        deps.logger.error({ err }, 'request handler failed');
        if (!res.headersSent) res.destroy();
      });
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops accepting connections, gives running requests a short grace period, then closes every
   * socket (keep-alive and stalled ones included) and waits for the handlers to end.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await Promise.allSettled([...this.inFlight]);
    await closed;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const requestId = randomUUID();
    const admin = url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`);

    if (!admin && url.pathname !== '/') {
      req.resume();
      sendAwsError(res, new AwsError('NotFound', 404, `Nothing is served at ${url.pathname}; the ElastiCache API is at POST /.`, 'Sender'), requestId);
      return;
    }
    if (!admin && req.method !== 'POST' && req.method !== 'GET') {
      req.resume();
      const error = new AwsError('MethodNotAllowed', 405, `Method ${req.method ?? ''} is not allowed; the ElastiCache API takes POST (or GET).`, 'Sender');
      sendAwsError(res, error, requestId, { Allow: 'POST, GET' });
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req, admin ? ADMIN_BODY_LIMIT : AWS_BODY_LIMIT);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) return; // the client went away mid-body
      // Close the connection: the rest of the oversized body is never read.
      if (admin) sendJson(res, 413, { error: err.message }, { Connection: 'close' });
      else sendAwsError(res, new AwsError('RequestEntityTooLarge', 413, err.message, 'Sender'), requestId, { Connection: 'close' });
      return;
    }

    if (admin) await this.deps.admin.handle({ req, res, url, body });
    else await this.deps.aws.handle({ req, res, requestId, url, body });
  }
}
