/**
 * The admin API under `/_emulator/`: JSON, kept apart from the AWS endpoint so nothing an AWS client
 * sends can reach it by accident. It lets tests and demos reach every fault and inspect traffic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../logger';
import { sendJson } from './http';
import { bucketNameProblem, REGION_NAME } from './buckets';
import { faultInjectionSchema, type CallCounter, type FaultInjector } from './injections';
import { IMPLEMENTED_ACTIONS } from './operations';
import { cacheArn, snapshotArn } from './shapes';
import { CACHE_STATUSES, type BucketRecord, type CacheRecord, type SnapshotRecord } from './state';
import type { EmulatorStore } from './store';
import { describeIssues } from './zod-issues';

export const ADMIN_PREFIX = '/_emulator';

export interface AdminApiDeps {
  store: EmulatorStore;
  injector: FaultInjector;
  calls: CallCounter;
  persist: () => Promise<void>;
  /** Restores the seed caches and bucket, drops all snapshots, injections and counts, and persists. */
  reset: () => Promise<void>;
  /** Applies the transitions due at `nowMs` and persists them, so every view is current. */
  settle: (nowMs: number) => Promise<void>;
  region: string;
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
const bucketBody = z.strictObject({ region: z.string().regex(REGION_NAME, 'must be a region name such as eu-west-1').optional() });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function bucketView(b: BucketRecord): unknown {
  return { name: b.name, region: b.region, objects: b.objects.map((o) => ({ key: o.key, snapshotName: o.snapshotName, exportedAt: iso(o.exportedAtMs) })) };
}

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
    await d.settle(d.clock());
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
      case '/buckets':
        if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
        return [200, d.store.listBuckets().map(bucketView)];
    }

    const bucket = /^\/buckets\/([^/]+)$/.exec(path);
    if (bucket !== null) return this.bucket(method, decodeSegment(bucket[1] ?? ''), body);

    const cacheView = /^\/caches\/([^/]+)$/.exec(path);
    if (cacheView !== null) {
      if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
      const name = decodeSegment(cacheView[1] ?? '');
      const c = d.store.getCache(name);
      if (c === undefined) throw new AdminError(404, `Serverless cache ${name} not found.`);
      return [200, this.cacheView(c)];
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
      return [200, this.snapshotView(s)];
    }

    throw new AdminError(404, `No admin endpoint ${ADMIN_PREFIX}${path}.`);
  }

  private async bucket(method: string, name: string, body: Buffer): Promise<[number, unknown]> {
    const d = this.deps;
    if (method === 'PUT') {
      const problem = bucketNameProblem(name);
      if (problem !== undefined) throw new AdminError(400, `${name} is not a valid S3 bucket name: ${problem}`);
      const { region = d.region } = validate(bucketBody, body, 'bucket');
      const created = d.store.putBucket(name, region);
      await d.persist();
      return [created ? 201 : 200, bucketView(d.store.getBucket(name) ?? { name, region, objects: [] })];
    }
    const b = d.store.getBucket(name);
    if (method === 'GET') {
      if (b === undefined) throw new AdminError(404, `S3 bucket ${name} not found.`);
      return [200, bucketView(b)];
    }
    if (method === 'DELETE') {
      if (b === undefined) throw new AdminError(404, `S3 bucket ${name} not found.`);
      d.store.removeBucket(name);
      await d.persist();
      return [200, { deleted: true }];
    }
    throw methodNotAllowed(method, ['GET', 'PUT', 'DELETE']);
  }

  // The AWS shapes have no tags; these views exist so tests can see exactly what was stored.
  private snapshotView(s: SnapshotRecord): unknown {
    return {
      name: s.name,
      arn: snapshotArn(this.deps.region, s.name),
      cacheName: s.cacheName,
      status: s.status,
      statusUntil: iso(s.statusUntilMs),
      exportBucket: s.exportBucket,
      snapshotType: s.snapshotType,
      engine: s.engine,
      majorEngineVersion: s.majorEngineVersion,
      createTime: new Date(s.createTimeMs).toISOString(),
      kmsKeyId: s.kmsKeyId,
      bytesUsedForCache: s.bytesUsedForCache,
      tags: s.tags,
    };
  }

  private cacheView(c: CacheRecord): unknown {
    return {
      name: c.name,
      arn: cacheArn(this.deps.region, c.name),
      status: c.status,
      statusUntil: iso(c.statusUntilMs),
      engine: c.engine,
      majorEngineVersion: c.majorEngineVersion,
      createTime: new Date(c.createTimeMs).toISOString(),
      kmsKeyId: c.kmsKeyId,
      bytesUsed: c.bytesUsed,
      tags: c.tags,
    };
  }
}
