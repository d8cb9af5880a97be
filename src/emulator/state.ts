/**
 * The emulator's persistent data: serverless caches and snapshots.
 *
 * The zod schemas are the single definition of the records: the types are inferred from them and
 * the state file is validated against them, so a file that does not match is refused at start
 * instead of failing later in a request. Times are epoch milliseconds.
 */
import { z } from 'zod';

export const CACHE_STATUSES = ['available', 'modifying', 'creating', 'deleting', 'create-failed'] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

export const SNAPSHOT_TYPES = ['manual', 'automated'] as const;
export type SnapshotType = (typeof SNAPSHOT_TYPES)[number];

const epochMs = z.int().nonnegative();
const endpoint = z.strictObject({ address: z.string().min(1), port: z.int().min(1).max(65535) });
// Stored names are lower case, as AWS stores them; a file breaking that could never be looked up.
const storedName = z.string().min(1).refine((s) => s === s.toLowerCase(), 'must be lower case');

export const tagSchema = z.strictObject({ key: z.string().min(1), value: z.string().nullable() });
export type Tag = z.infer<typeof tagSchema>;

export const cacheSchema = z.strictObject({
  name: storedName,
  description: z.string(),
  createTimeMs: epochMs,
  status: z.enum(CACHE_STATUSES),
  engine: z.enum(['valkey', 'redis', 'memcached']),
  majorEngineVersion: z.string().min(1),
  fullEngineVersion: z.string().min(1),
  usageLimits: z.strictObject({
    dataStorageGb: z.strictObject({ minimum: z.int().positive(), maximum: z.int().positive() }),
    ecpuPerSecond: z.strictObject({ minimum: z.int().positive(), maximum: z.int().positive() }),
  }),
  kmsKeyId: z.string().min(1).nullable(),
  securityGroupIds: z.array(z.string().min(1)),
  endpoint,
  readerEndpoint: endpoint.nullable(),
  userGroupId: z.string().min(1).nullable(),
  subnetIds: z.array(z.string().min(1)),
  snapshotRetentionLimit: z.int().min(0).max(35),
  dailySnapshotTime: z.string().nullable(),
  networkType: z.enum(['ipv4', 'ipv6', 'dual_stack']),
  /** Size of the cached data set; snapshots report it as `BytesUsedForCache`. */
  bytesUsed: z.int().nonnegative(),
});
export type CacheRecord = z.infer<typeof cacheSchema>;

export const snapshotSchema = z.strictObject({
  name: storedName,
  cacheName: storedName,
  /** The cache's configuration when the snapshot was taken (it may change later). */
  engine: z.string().min(1),
  majorEngineVersion: z.string().min(1),
  kmsKeyId: z.string().min(1).nullable(),
  snapshotType: z.enum(SNAPSHOT_TYPES),
  createTimeMs: epochMs,
  expiryTimeMs: epochMs.nullable(),
  bytesUsedForCache: z.string().regex(/^\d+$/),
  tags: z.array(tagSchema),
});
export type SnapshotRecord = z.infer<typeof snapshotSchema>;

export const STATE_FORMAT = 'elasticache-emulator-state';

export const stateDocumentSchema = z
  .strictObject({
    format: z.literal(STATE_FORMAT),
    version: z.literal(1),
    savedAt: z.string(),
    caches: z.array(cacheSchema),
    snapshots: z.array(snapshotSchema),
  })
  .superRefine((doc, ctx) => {
    const duplicate = (names: string[]) => names.find((n, i) => names.indexOf(n) !== i);
    const cache = duplicate(doc.caches.map((c) => c.name));
    if (cache !== undefined) ctx.addIssue({ code: 'custom', path: ['caches'], message: `duplicate cache name "${cache}"` });
    const snapshot = duplicate(doc.snapshots.map((s) => s.name));
    if (snapshot !== undefined) ctx.addIssue({ code: 'custom', path: ['snapshots'], message: `duplicate snapshot name "${snapshot}"` });
  });
export type StateDocument = z.infer<typeof stateDocumentSchema>;

export interface StateData {
  caches: CacheRecord[];
  snapshots: SnapshotRecord[];
}
