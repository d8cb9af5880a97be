/**
 * The emulator's persistent data: serverless caches, their snapshots, and the S3 buckets exports go to.
 *
 * The zod schemas are the single definition of the records: the types are inferred from them and
 * the state file is validated against them, so a file that does not match is refused at start
 * instead of failing later in a request. Times are epoch milliseconds.
 *
 * Statuses are STORED, with the time the current transition ends (`statusUntilMs`): a `creating`
 * snapshot or cache becomes `available`, an `exporting` snapshot becomes `available` (its export
 * lands in the bucket), a `deleting` snapshot disappears. The store applies due transitions when
 * it is read (see `EmulatorStore.advance`), so no timer runs and a restart changes nothing.
 *
 * Versions: 2 is written. 1 (before statuses, tags on caches and buckets) is still read and
 * migrated by `migrateV1`; any other version is refused.
 */
import { z } from 'zod';

export const CACHE_STATUSES = ['available', 'modifying', 'creating', 'deleting', 'create-failed'] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

export const SNAPSHOT_STATUSES = ['creating', 'available', 'exporting', 'deleting'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

export const SNAPSHOT_TYPES = ['manual', 'automated'] as const;
export type SnapshotType = (typeof SNAPSHOT_TYPES)[number];

export const ENGINES = ['valkey', 'redis', 'memcached'] as const;
export type Engine = (typeof ENGINES)[number];

const epochMs = z.int().nonnegative();
const endpoint = z.strictObject({ address: z.string().min(1), port: z.int().min(1).max(65535) });
// Stored names are lower case, as AWS stores them; a file breaking that could never be looked up.
const storedName = z.string().min(1).refine((s) => s === s.toLowerCase(), 'must be lower case');

export const tagSchema = z.strictObject({ key: z.string().min(1), value: z.string().nullable() });
export type Tag = z.infer<typeof tagSchema>;

// Each bound may be unset (AWS: "Minimum"/"Maximum" are optional); a whole limit may be unset too.
const limitRange = z.strictObject({ minimum: z.int().positive().nullable(), maximum: z.int().positive().nullable() }).nullable();

export const cacheSchema = z.strictObject({
  name: storedName,
  description: z.string(),
  createTimeMs: epochMs,
  status: z.enum(CACHE_STATUSES),
  /** When a `creating` cache becomes `available`; null when no transition is running. */
  statusUntilMs: epochMs.nullable(),
  engine: z.enum(ENGINES),
  majorEngineVersion: z.string().min(1),
  fullEngineVersion: z.string().min(1),
  usageLimits: z.strictObject({ dataStorageGb: limitRange, ecpuPerSecond: limitRange }),
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
  tags: z.array(tagSchema),
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
  status: z.enum(SNAPSHOT_STATUSES),
  /** When the current transition ends (creating/exporting → available, deleting → gone); null when none runs. */
  statusUntilMs: epochMs.nullable(),
  /** The bucket a running export writes to; null unless `exporting`. */
  exportBucket: z.string().min(1).nullable(),
});
export type SnapshotRecord = z.infer<typeof snapshotSchema>;

export const bucketObjectSchema = z.strictObject({ key: z.string().min(1), snapshotName: storedName, exportedAtMs: epochMs });
export type BucketObject = z.infer<typeof bucketObjectSchema>;

export const bucketSchema = z.strictObject({
  name: z.string().min(1),
  region: z.string().min(1),
  /** What exports wrote, one object per snapshot (a later export of the same snapshot replaces it). */
  objects: z.array(bucketObjectSchema),
});
export type BucketRecord = z.infer<typeof bucketSchema>;

export const STATE_FORMAT = 'elasticache-emulator-state';
export const STATE_VERSION = 2;
export const READABLE_STATE_VERSIONS = [1, 2] as const;

const duplicate = (names: string[]) => names.find((n, i) => names.indexOf(n) !== i);

function refineUnique(doc: { caches: { name: string }[]; snapshots: { name: string }[]; buckets?: { name: string }[] }, ctx: z.RefinementCtx): void {
  const cache = duplicate(doc.caches.map((c) => c.name));
  if (cache !== undefined) ctx.addIssue({ code: 'custom', path: ['caches'], message: `duplicate cache name "${cache}"` });
  const snapshot = duplicate(doc.snapshots.map((s) => s.name));
  if (snapshot !== undefined) ctx.addIssue({ code: 'custom', path: ['snapshots'], message: `duplicate snapshot name "${snapshot}"` });
  const bucket = duplicate((doc.buckets ?? []).map((b) => b.name));
  if (bucket !== undefined) ctx.addIssue({ code: 'custom', path: ['buckets'], message: `duplicate bucket name "${bucket}"` });
}

export const stateDocumentSchema = z
  .strictObject({
    format: z.literal(STATE_FORMAT),
    version: z.literal(STATE_VERSION),
    savedAt: z.string(),
    caches: z.array(cacheSchema),
    snapshots: z.array(snapshotSchema),
    buckets: z.array(bucketSchema),
  })
  .superRefine(refineUnique);
export type StateDocument = z.infer<typeof stateDocumentSchema>;

/** Version 1: no stored statuses, no tags on caches, no buckets, both limits always set. */
export const stateDocumentV1Schema = z
  .strictObject({
    format: z.literal(STATE_FORMAT),
    version: z.literal(1),
    savedAt: z.string(),
    caches: z.array(
      cacheSchema.omit({ statusUntilMs: true, tags: true, usageLimits: true }).extend({
        usageLimits: z.strictObject({
          dataStorageGb: z.strictObject({ minimum: z.int().positive(), maximum: z.int().positive() }),
          ecpuPerSecond: z.strictObject({ minimum: z.int().positive(), maximum: z.int().positive() }),
        }),
      }),
    ),
    snapshots: z.array(snapshotSchema.omit({ status: true, statusUntilMs: true, exportBucket: true })),
  })
  .superRefine(refineUnique);
export type StateDocumentV1 = z.infer<typeof stateDocumentV1Schema>;

export interface StateData {
  caches: CacheRecord[];
  snapshots: SnapshotRecord[];
  buckets: BucketRecord[];
}

/**
 * A version-1 document as version-2 data. Version 1 derived a snapshot's status from its age
 * (`creating` until `snapshotAvailableAfterMs` after `CreateTime`); the migrated snapshot is
 * `creating` until exactly then, so the next read makes it `available` if that time has passed,
 * as version 1 would have shown it. Caches get no tags; the buckets are the seed buckets.
 */
export function migrateV1(doc: StateDocumentV1, options: { snapshotAvailableAfterMs: number; buckets: BucketRecord[] }): StateData {
  return {
    caches: doc.caches.map((c) => ({ ...c, statusUntilMs: null, tags: [] })),
    snapshots: doc.snapshots.map((s) => ({ ...s, status: 'creating', statusUntilMs: s.createTimeMs + options.snapshotAvailableAfterMs, exportBucket: null })),
    buckets: structuredClone(options.buckets),
  };
}
