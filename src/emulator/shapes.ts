/**
 * Records → the model's output shapes, as XML element objects. Member order follows the model,
 * which is what AWS emits; absent (null) members are omitted rather than sent empty, since the SDK
 * would read an empty element as `""`.
 */
import { EMULATOR_ACCOUNT_ID } from '../config';
import type { CacheRecord, SnapshotRecord, Tag } from './state';
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
}

export function serverlessCacheSnapshotShape(s: SnapshotRecord, ctx: ShapeContext): XmlObject {
  return {
    ServerlessCacheSnapshotName: s.name,
    ARN: snapshotArn(ctx.region, s.name),
    KmsKeyId: orUndefined(s.kmsKeyId),
    SnapshotType: s.snapshotType,
    Status: s.status,
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

function usageLimits({ dataStorageGb: storage, ecpuPerSecond: ecpu }: CacheRecord['usageLimits']): XmlObject | undefined {
  if (storage === null && ecpu === null) return undefined;
  return {
    DataStorage: storage === null ? undefined : { Maximum: orUndefined(storage.maximum), Minimum: orUndefined(storage.minimum), Unit: 'GB' },
    ECPUPerSecond: ecpu === null ? undefined : { Maximum: orUndefined(ecpu.maximum), Minimum: orUndefined(ecpu.minimum) },
  };
}

/** `TagListMessage`: `<TagList><Tag><Key/><Value/></Tag>…</TagList>`; a null value has no `<Value>`. */
export function tagListShape(tags: readonly Tag[]): XmlObject {
  return { TagList: xmlList('Tag', tags.map((t) => ({ Key: t.key, Value: orUndefined(t.value) }))) };
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
    CacheUsageLimits: usageLimits(c.usageLimits),
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
