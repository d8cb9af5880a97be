/**
 * The caches a fresh emulator starts with. Values are realistic (endpoint host names in AWS's
 * `<name>-<id>.serverless.<region code>.cache.amazonaws.com` form, default ports, three subnets)
 * and deterministic, so tests and demos see the same data on every run.
 */
import { createHash } from 'node:crypto';
import { EMULATOR_ACCOUNT_ID } from '../config';
import type { CacheRecord, StateData } from './state';

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

function endpointHost(name: string, region: string): string {
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
}

const SEEDS: SeedSpec[] = [
  {
    name: 'demo-valkey', engine: 'valkey', majorEngineVersion: '8', fullEngineVersion: '8.0', status: 'available',
    description: 'Demo Valkey cache', createTime: '2025-01-15T09:30:00.000Z', customerKey: true,
    userGroupId: 'demo-user-group', snapshotRetentionLimit: 7, dailySnapshotTime: '04:00', bytesUsed: 157_286_400,
  },
  {
    name: 'demo-redis', engine: 'redis', majorEngineVersion: '7', fullEngineVersion: '7.1', status: 'available',
    description: 'Demo Redis OSS cache', createTime: '2025-02-03T14:05:00.000Z', customerKey: false,
    userGroupId: null, snapshotRetentionLimit: 1, dailySnapshotTime: '05:30', bytesUsed: 52_428_800,
  },
  {
    name: 'demo-memcached', engine: 'memcached', majorEngineVersion: '1.6', fullEngineVersion: '1.6.22', status: 'available',
    description: 'Demo Memcached cache', createTime: '2025-03-10T08:00:00.000Z', customerKey: false,
    userGroupId: null, snapshotRetentionLimit: 0, dailySnapshotTime: null, bytesUsed: 10_485_760,
  },
  {
    name: 'demo-modifying', engine: 'valkey', majorEngineVersion: '8', fullEngineVersion: '8.0', status: 'modifying',
    description: 'Demo Valkey cache in the middle of a modification', createTime: '2025-04-22T17:45:00.000Z', customerKey: false,
    userGroupId: null, snapshotRetentionLimit: 1, dailySnapshotTime: '03:00', bytesUsed: 1_048_576,
  },
];

function seedCache(spec: SeedSpec, region: string): CacheRecord {
  const address = endpointHost(spec.name, region);
  const port = spec.engine === 'memcached' ? 11211 : 6379;
  return {
    name: spec.name,
    description: spec.description,
    createTimeMs: Date.parse(spec.createTime),
    status: spec.status,
    engine: spec.engine,
    majorEngineVersion: spec.majorEngineVersion,
    fullEngineVersion: spec.fullEngineVersion,
    usageLimits: { dataStorageGb: { minimum: 1, maximum: 10 }, ecpuPerSecond: { minimum: 1000, maximum: 15000 } },
    kmsKeyId: spec.customerKey ? `arn:aws:kms:${region}:${EMULATOR_ACCOUNT_ID}:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d` : null,
    securityGroupIds: ['sg-0a1b2c3d4e5f60718'],
    endpoint: { address, port },
    // Serverless Valkey and Redis OSS serve reads on the next port; Memcached has no reader endpoint.
    readerEndpoint: spec.engine === 'memcached' ? null : { address, port: port + 1 },
    userGroupId: spec.userGroupId,
    subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
    snapshotRetentionLimit: spec.snapshotRetentionLimit,
    dailySnapshotTime: spec.dailySnapshotTime,
    networkType: 'ipv4',
    bytesUsed: spec.bytesUsed,
  };
}

export const SEED_CACHE_NAMES = SEEDS.map((s) => s.name);

export function seedState(region: string): StateData {
  return { caches: SEEDS.map((s) => seedCache(s, region)), snapshots: [] };
}
