/**
 * The admin API under `/_emulator/`: JSON, kept apart from the AWS endpoint so nothing an AWS client
 * sends can reach it by accident. It lets tests and demos reach every fault and inspect traffic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../logger';
import { sendJson } from './http';
import { faultInjectionSchema, type CallCounter, type FaultInjector } from './injections';
import { IMPLEMENTED_ACTIONS } from './operations';
import { snapshotArn } from './shapes';
import { CACHE_STATUSES } from './state';
import { snapshotStatus, type EmulatorStore } from './store';
import { describeIssues } from './zod-issues';

export const ADMIN_PREFIX = '/_emulator';

export interface AdminApiDeps {
  store: EmulatorStore;
  injector: FaultInjector;
  calls: CallCounter;
  persist: () => Promise<void>;
  /** Restores the seed caches, drops all snapshots, injections and counts, and persists. */
  reset: () => Promise<void>;
  region: string;
  snapshotAvailableAfterMs: number;
  clock: () => number;
  logger: Logger;
}

export interface AdminRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
}

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const faultBody = faultInjectionSchema(IMPLEMENTED_ACTIONS);
const cacheStatusBody = z.strictObject({ status: z.enum(CACHE_STATUSES) });

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AdminError(400, 'The request body must be JSON.');
  }
}

function validate<T>(schema: z.ZodType<T>, body: Buffer, what: string): T {
  const result = schema.safeParse(parseJson(body));
  if (!result.success) throw new AdminError(400, `Invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AdminError(400, `Malformed path segment ${segment}.`);
  }
}

function methodNotAllowed(method: string | undefined, allowed: string[]): AdminError {
  return new AdminError(405, `Method ${method ?? ''} is not allowed here; use ${allowed.join(' or ')}.`, { Allow: allowed.join(', ') });
}

export class AdminApi {
  constructor(private readonly deps: AdminApiDeps) {}

  async handle({ req, res, url, body }: AdminRequest): Promise<void> {
    try {
      const [status, value] = await this.route(req.method ?? '', url.pathname.slice(ADMIN_PREFIX.length), body);
      sendJson(res, status, value);
    } catch (err) {
      if (err instanceof AdminError) {
        sendJson(res, err.status, { error: err.message }, err.headers);
      } else {
        this.deps.logger.error({ err }, 'admin request failed unexpectedly');
        sendJson(res, 500, { error: 'Internal error; see the emulator log.' });
      }
    }
  }

  private async route(method: string, path: string, body: Buffer): Promise<[number, unknown]> {
    const d = this.deps;
    switch (path) {
      case '/health':
        if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
        return [200, { status: 'ok' }];
      case '/faults':
        if (method === 'GET') return [200, d.injector.list()];
        if (method === 'DELETE') {
          d.injector.clear();
          return [200, { cleared: true }];
        }
        if (method === 'POST') return [201, d.injector.add(validate(faultBody, body, 'fault injection'))];
        throw methodNotAllowed(method, ['GET', 'POST', 'DELETE']);
      case '/calls':
        if (method === 'GET') return [200, d.calls.toJSON()];
        if (method === 'DELETE') {
          d.calls.clear();
          return [200, { cleared: true }];
        }
        throw methodNotAllowed(method, ['GET', 'DELETE']);
      case '/reset':
        if (method !== 'POST') throw methodNotAllowed(method, ['POST']);
        await d.reset();
        return [200, { reset: true }];
    }

    const cacheStatus = /^\/caches\/([^/]+)\/status$/.exec(path);
    if (cacheStatus !== null) {
      if (method !== 'PUT') throw methodNotAllowed(method, ['PUT']);
      const name = decodeSegment(cacheStatus[1] ?? '');
      const { status } = validate(cacheStatusBody, body, 'cache status');
      const cache = d.store.setCacheStatus(name, status);
      if (cache === undefined) throw new AdminError(404, `Serverless cache ${name} not found.`);
      await d.persist();
      return [200, { name: cache.name, status: cache.status }];
    }

    const snapshot = /^\/snapshots\/([^/]+)$/.exec(path);
    if (snapshot !== null) {
      if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
      const name = decodeSegment(snapshot[1] ?? '');
      const s = d.store.getSnapshot(name);
      if (s === undefined) throw new AdminError(404, `Serverless cache snapshot ${name} not found.`);
      // The AWS shape has no tags; this view exists so tests can see exactly what was stored.
      return [
        200,
        {
          name: s.name,
          arn: snapshotArn(d.region, s.name),
          cacheName: s.cacheName,
          status: snapshotStatus(s, d.clock(), d.snapshotAvailableAfterMs),
          snapshotType: s.snapshotType,
          createTime: new Date(s.createTimeMs).toISOString(),
          kmsKeyId: s.kmsKeyId,
          bytesUsedForCache: s.bytesUsedForCache,
          tags: s.tags,
        },
      ];
    }

    throw new AdminError(404, `No admin endpoint ${ADMIN_PREFIX}${path}.`);
  }
}
