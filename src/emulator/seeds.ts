/**
 * The caches and the S3 bucket a fresh emulator starts with. Values are realistic (endpoint host
 * names in AWS's `<name>-<id>.serverless.<region code>.cache.amazonaws.com` form, default ports,
 * three subnets) and deterministic, so tests and demos see the same data on every run.
 */
import { createHash } from 'node:crypto';
import { EMULATOR_ACCOUNT_ID } from '../config';
import type { BucketRecord, CacheRecord, StateData, Tag } from './state';

const DIRECTIONS: Record<string, string> = {
  north: 'n', south: 's', east: 'e', west: 'w', central: 'c',
  northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw',
};

/** `us-east-1` → `use1`, `ap-southeast-2` → `apse2`, as in AWS endpoint host names. */
export function regionCode(region: string): string {
  const m = /^([a-z]+)-([a-z]+)-(\d+)$/.exec(region);
  if (m === null) return region.replace(/[^a-z0-9]/g, '');
  const [, geo = '', direction = '', n = ''] = m;
  return `${geo}${DIRECTIONS[direction] ?? direction}${n}`;
}

export function endpointHost(name: string, region: string): string {
  const id = createHash('sha256').update(`${region}/${name}`).digest('hex').slice(0, 6);
  return `${name}-${id}.serverless.${regionCode(region)}.cache.amazonaws.com`;
}

interface SeedSpec {
  name: string;
  engine: CacheRecord['engine'];
  majorEngineVersion: string;
  fullEngineVersion: string;
  status: CacheRecord['status'];
  description: string;
  createTime: string;
  customerKey: boolean;
  userGroupId: string | null;
  snapshotRetentionLimit: number;
  dailySnapshotTime: string | null;
  bytesUsed: number;
  tags: Tag[];
}

const SEEDS: SeedSpec[] = [
  {
    name: 'demo-valkey', engine: 'valkey', majorEngineVersion: '8', fullEngineVersion: '8.0', status: 'available',
    description: 'Demo Valkey cache', createTime: '2025-01-15T09:30:00.000Z', customerKey: true,
    userGroupId: 'demo-user-group', snapshotRetentionLimit: 7, dailySnapshotTime: '04:00', bytesUsed: 157_286_400,
    tags: [{ key: 'team', value: 'platform' }, { key: 'env', value: 'demo' }],
  },
  {
    name: 'demo-redis', engine: 'redis', majorEngineVersion: '7', fullEngineVersion: '7.1', status: 'available',
    description: 'Demo Redis OSS cache', createTime: '2025-02-03T14:05:00.000Z', customerKey: false,
    userGroupId: null, snapshotRetentionLimit: 1, dailySnapshotTime: '05:30', bytesUsed: 52_428_800, tags: [],
  },
  {
    name: 'demo-memcached', engine: 'memcached', majorEngineVersion: '1.6', fullEngineVersion: '1.6.22', status: 'available',
    description: 'Demo Memcached cache', createTime: '2025-03-10T08:00:00.000Z', customerKey: false,
    userGroupId: null, snapshotRetentionLimit: 0, dailySnapshotTime: null, bytesUsed: 10_485_760, tags: [],
  },
  {
    name: 'demo-modifying', engine: 'valkey', majorEngineVersion: '8', fullEngineVersion: '8.0', status: 'modifying',
    description: 'Demo Valkey cache in the middle of a modification', createTime: '2025-04-22T17:45:00.000Z', customerKey: false,
    userGroupId: null, snapshotRetentionLimit: 1, dailySnapshotTime: '03:00', bytesUsed: 1_048_576, tags: [],
  },
];

/** Where a cache of `engine` is reached: the endpoint and, except for Memcached, the reader endpoint. */
export function cacheEndpoints(name: string, engine: CacheRecord['engine'], region: string): Pick<CacheRecord, 'endpoint' | 'readerEndpoint'> {
  const address = endpointHost(name, region);
  const port = engine === 'memcached' ? 11211 : 6379;
  // Serverless Valkey and Redis OSS serve reads on the next port; Memcached has no reader endpoint.
  return { endpoint: { address, port }, readerEndpoint: engine === 'memcached' ? null : { address, port: port + 1 } };
}

/** Security group and subnets a cache gets when the request names none (the default VPC's). */
export const DEFAULT_SECURITY_GROUP_IDS = ['sg-0a1b2c3d4e5f60718'];
export const DEFAULT_SUBNET_IDS = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'];

/** The user groups the emulated account has (CreateServerlessCache's `UserGroupId` must name one). */
export const USER_GROUP_IDS = ['demo-user-group'];

/** The bucket exports can go to from the start, in the emulator's region. */
export const SEED_BUCKET_NAME = 'demo-exports';

function seedCache(spec: SeedSpec, region: string): CacheRecord {
  return {
    name: spec.name,
    description: spec.description,
    createTimeMs: Date.parse(spec.createTime),
    status: spec.status,
    statusUntilMs: null,
    engine: spec.engine,
    majorEngineVersion: spec.majorEngineVersion,
    fullEngineVersion: spec.fullEngineVersion,
    usageLimits: { dataStorageGb: { minimum: 1, maximum: 10 }, ecpuPerSecond: { minimum: 1000, maximum: 15000 } },
    kmsKeyId: spec.customerKey ? `arn:aws:kms:${region}:${EMULATOR_ACCOUNT_ID}:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d` : null,
    securityGroupIds: [...DEFAULT_SECURITY_GROUP_IDS],
    ...cacheEndpoints(spec.name, spec.engine, region),
    userGroupId: spec.userGroupId,
    subnetIds: [...DEFAULT_SUBNET_IDS],
    snapshotRetentionLimit: spec.snapshotRetentionLimit,
    dailySnapshotTime: spec.dailySnapshotTime,
    networkType: 'ipv4',
    bytesUsed: spec.bytesUsed,
    tags: structuredClone(spec.tags),
  };
}

export const SEED_CACHE_NAMES = SEEDS.map((s) => s.name);

export function seedBuckets(region: string): BucketRecord[] {
  return [{ name: SEED_BUCKET_NAME, region, objects: [] }];
}

export function seedState(region: string): StateData {
  return { caches: SEEDS.map((s) => seedCache(s, region)), snapshots: [], buckets: seedBuckets(region) };
}
