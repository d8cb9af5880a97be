/**
 * Records → the model's output shapes, as XML element objects. Member order follows the model,
 * which is what AWS emits; absent (null) members are omitted rather than sent empty, since the SDK
 * would read an empty element as `""`.
 */
import { EMULATOR_ACCOUNT_ID } from '../config';
import type { CacheRecord, SnapshotRecord } from './state';
import { snapshotStatus } from './store';
import { timestamp, type XmlObject, type XmlValue } from './xml';

export const cacheArn = (region: string, name: string): string => `arn:aws:elasticache:${region}:${EMULATOR_ACCOUNT_ID}:serverlesscache:${name}`;
export const snapshotArn = (region: string, name: string): string =>
  `arn:aws:elasticache:${region}:${EMULATOR_ACCOUNT_ID}:serverlesscachesnapshot:${name}`;

/** A list whose items are `<itemName>` elements; empty lists are written as an empty element. */
export function xmlList(itemName: string, items: XmlValue[]): XmlValue {
  return items.length === 0 ? '' : { [itemName]: items };
}

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export interface ShapeContext {
  region: string;
  nowMs: number;
  snapshotAvailableAfterMs: number;
}

export function serverlessCacheSnapshotShape(s: SnapshotRecord, ctx: ShapeContext): XmlObject {
  return {
    ServerlessCacheSnapshotName: s.name,
    ARN: snapshotArn(ctx.region, s.name),
    KmsKeyId: orUndefined(s.kmsKeyId),
    SnapshotType: s.snapshotType,
    Status: snapshotStatus(s, ctx.nowMs, ctx.snapshotAvailableAfterMs),
    CreateTime: timestamp(s.createTimeMs),
    ExpiryTime: s.expiryTimeMs === null ? undefined : timestamp(s.expiryTimeMs),
    BytesUsedForCache: s.bytesUsedForCache,
    ServerlessCacheConfiguration: {
      ServerlessCacheName: s.cacheName,
      Engine: s.engine,
      MajorEngineVersion: s.majorEngineVersion,
    },
  };
}

export function serverlessCacheShape(c: CacheRecord, region: string): XmlObject {
  const endpoint = (e: CacheRecord['endpoint'] | null): XmlObject | undefined => (e === null ? undefined : { Address: e.address, Port: e.port });
  return {
    ServerlessCacheName: c.name,
    Description: c.description,
    CreateTime: timestamp(c.createTimeMs),
    Status: c.status,
    Engine: c.engine,
    MajorEngineVersion: c.majorEngineVersion,
    FullEngineVersion: c.fullEngineVersion,
    CacheUsageLimits: {
      DataStorage: { Maximum: c.usageLimits.dataStorageGb.maximum, Minimum: c.usageLimits.dataStorageGb.minimum, Unit: 'GB' },
      ECPUPerSecond: { Maximum: c.usageLimits.ecpuPerSecond.maximum, Minimum: c.usageLimits.ecpuPerSecond.minimum },
    },
    KmsKeyId: orUndefined(c.kmsKeyId),
    StorageEncryptionType: c.kmsKeyId === null ? 'sse-elasticache' : 'sse-kms',
    SecurityGroupIds: xmlList('SecurityGroupId', c.securityGroupIds),
    Endpoint: endpoint(c.endpoint),
    ReaderEndpoint: endpoint(c.readerEndpoint),
    ARN: cacheArn(region, c.name),
    UserGroupId: orUndefined(c.userGroupId),
    SubnetIds: xmlList('SubnetId', c.subnetIds),
    SnapshotRetentionLimit: c.snapshotRetentionLimit,
    DailySnapshotTime: orUndefined(c.dailySnapshotTime),
    NetworkType: c.networkType,
  };
}
