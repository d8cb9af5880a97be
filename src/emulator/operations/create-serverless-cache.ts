/**
 * CreateServerlessCache, empty or restored from serverless snapshots (`SnapshotArnsToRestore`).
 * The new cache is `creating` for `cacheAvailableAfterMs`, then `available`.
 *
 * Check order: required members (`ServerlessCacheName`, `Engine`); the shared rules (name,
 * Description, KmsKeyId, SnapshotRetentionLimit, tags); the other members' values (Engine,
 * MajorEngineVersion, NetworkType, DailySnapshotTime, CacheUsageLimits, the ARNs' syntax); the
 * engine/user-group combination; then the account: the name must be free, the snapshots must
 * exist, be `available` and match the engine, the user group must exist; the region's cache quota
 * last.
 *
 * Decisions where AWS is silent:
 * - The model lists no snapshot fault for this operation, so an unknown, malformed, foreign or
 *   not-`available` snapshot ARN is `InvalidParameterValue`.
 * - `Engine` is required even for a restore; it and `MajorEngineVersion` (when given) must equal
 *   the snapshots' (`InvalidParameterCombination` otherwise: the members contradict each other),
 *   and all the snapshots must share an engine and version. The version comes from the snapshots.
 * - A restored cache holds the snapshots' data (`bytesUsed` is their sum); an empty one holds none.
 * - `KmsKeyId` is the request's, else the service key: nothing is taken from the snapshot.
 * - Only the request's tags are stored.
 */
import { checkCreateCache } from '../../aws/rules';
import { foreignArnProblem, parseElastiCacheArn, SERVERLESS_SNAPSHOT_TYPE } from '../arn';
import { invalidParameterValue, modeledFault } from '../faults';
import type { FormParams } from '../form';
import { cacheEndpoints, DEFAULT_SECURITY_GROUP_IDS, DEFAULT_SUBNET_IDS, USER_GROUP_IDS } from '../seeds';
import { serverlessCacheShape } from '../shapes';
import { ENGINES, type CacheRecord, type Engine, type SnapshotRecord } from '../state';
import { normaliseName } from '../store';
import { optionalInteger, optionalString, raise, readStringList, readTagList, requiredString, storedTags, wireRuleOptions } from '../validation';
import { commit, transitionEnd } from './common';
import type { Operation } from './types';

/** Major versions ElastiCache Serverless offers per engine, with the full version a new cache reports. */
export const ENGINE_VERSIONS: Readonly<Record<Engine, { versions: Readonly<Record<string, string>>; latest: string }>> = {
  valkey: { versions: { '7': '7.2', '8': '8.0', '9': '9.0' }, latest: '9' },
  redis: { versions: { '7': '7.1' }, latest: '7' },
  memcached: { versions: { '1.6': '1.6.22' }, latest: '1.6' },
};

const NETWORK_TYPES = ['ipv4', 'ipv6', 'dual_stack'] as const;
// AWS's documented serverless bounds: 1–5,000 GB of data, 1,000–15,000,000 ECPUs per second.
const DATA_STORAGE_GB = { min: 1, max: 5000 };
const ECPU_PER_SECOND = { min: 1000, max: 15_000_000 };
const LIMIT_PARAMETERS = [
  'CacheUsageLimits.DataStorage.Maximum',
  'CacheUsageLimits.DataStorage.Minimum',
  'CacheUsageLimits.DataStorage.Unit',
  'CacheUsageLimits.ECPUPerSecond.Maximum',
  'CacheUsageLimits.ECPUPerSecond.Minimum',
];

function readRange(params: FormParams, prefix: string, bounds: { min: number; max: number }): { minimum: number | null; maximum: number | null } | null {
  const minimum = optionalInteger(params, `${prefix}.Minimum`, bounds.min, bounds.max) ?? null;
  const maximum = optionalInteger(params, `${prefix}.Maximum`, bounds.min, bounds.max) ?? null;
  if (minimum !== null && maximum !== null && minimum > maximum) {
    throw invalidParameterValue(`The parameter ${prefix}.Minimum (${minimum}) must not exceed ${prefix}.Maximum (${maximum}).`);
  }
  return minimum === null && maximum === null ? null : { minimum, maximum };
}

function readUsageLimits(params: FormParams): CacheRecord['usageLimits'] {
  for (const [name] of params.entries()) {
    if ((name === 'CacheUsageLimits' || name.startsWith('CacheUsageLimits.')) && !LIMIT_PARAMETERS.includes(name)) {
      throw invalidParameterValue(`Unexpected parameter ${name}: CacheUsageLimits has DataStorage.{Maximum,Minimum,Unit} and ECPUPerSecond.{Maximum,Minimum}.`);
    }
  }
  const unit = params.get('CacheUsageLimits.DataStorage.Unit');
  const dataStorageGb = readRange(params, 'CacheUsageLimits.DataStorage', DATA_STORAGE_GB);
  if (dataStorageGb !== null && unit === undefined) throw invalidParameterValue('The parameter CacheUsageLimits.DataStorage.Unit must be provided with a data storage limit.');
  if (unit !== undefined && unit !== 'GB') throw invalidParameterValue('The parameter CacheUsageLimits.DataStorage.Unit must be GB.');
  return { dataStorageGb: dataStorageGb ?? (unit === undefined ? null : { minimum: null, maximum: null }), ecpuPerSecond: readRange(params, 'CacheUsageLimits.ECPUPerSecond', ECPU_PER_SECOND) };
}

/** The snapshot names of `SnapshotArnsToRestore`, checked as ARNs (syntax only). */
function readSnapshotArns(params: FormParams, region: string): { at: string; arn: string; name: string }[] {
  const arns = readStringList(params, 'SnapshotArnsToRestore', 'SnapshotArn') ?? [];
  const seen = new Set<string>();
  return arns.map((arn, i) => {
    const at = `SnapshotArnsToRestore.SnapshotArn.${i + 1}`;
    const parsed = parseElastiCacheArn(arn);
    const problem =
      'problem' in parsed
        ? parsed.problem
        : parsed.arn.resourceType !== SERVERLESS_SNAPSHOT_TYPE
          ? `it names a ${parsed.arn.resourceType}, not a serverless cache snapshot (${SERVERLESS_SNAPSHOT_TYPE}).`
          : foreignArnProblem(parsed.arn, region);
    if (problem !== undefined || 'problem' in parsed) throw invalidParameterValue(`${at} (${arn}) is not a serverless cache snapshot ARN of this endpoint: ${problem ?? ''}`);
    const name = normaliseName(parsed.arn.name);
    if (seen.has(name)) throw invalidParameterValue(`${at} (${arn}) names a snapshot already given; each snapshot can be restored once.`);
    seen.add(name);
    return { at, arn, name };
  });
}

export const createServerlessCache: Operation = async (params, ctx) => {
  const requestedName = requiredString(params, 'ServerlessCacheName');
  const engineText = requiredString(params, 'Engine');
  const description = optionalString(params, 'Description');
  const kmsKeyId = optionalString(params, 'KmsKeyId');
  const snapshotRetentionLimit = optionalInteger(params, 'SnapshotRetentionLimit', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const tags = readTagList(params);
  raise(checkCreateCache({ serverlessCacheName: requestedName, description, kmsKeyId, snapshotRetentionLimit, tags: tags?.tags }, wireRuleOptions(tags)));
  const name = normaliseName(requestedName);

  const engine = engineText.toLowerCase();
  if (!(ENGINES as readonly string[]).includes(engine)) throw invalidParameterValue(`The parameter Engine must be one of ${ENGINES.join(', ')}.`);
  const versions = ENGINE_VERSIONS[engine as Engine];
  const requestedVersion = optionalString(params, 'MajorEngineVersion');
  if (requestedVersion !== undefined && versions.versions[requestedVersion] === undefined) {
    throw invalidParameterValue(`The parameter MajorEngineVersion must be one of ${Object.keys(versions.versions).join(', ')} for ${engine}.`);
  }
  const networkType = optionalString(params, 'NetworkType') ?? 'ipv4';
  if (!(NETWORK_TYPES as readonly string[]).includes(networkType)) throw invalidParameterValue(`The parameter NetworkType must be one of ${NETWORK_TYPES.join(', ')}.`);
  const dailySnapshotTime = optionalString(params, 'DailySnapshotTime');
  if (dailySnapshotTime !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(dailySnapshotTime)) {
    throw invalidParameterValue('The parameter DailySnapshotTime must be a time of day as HH:MM (UTC, 24-hour clock).');
  }
  const usageLimits = readUsageLimits(params);
  const securityGroupIds = readStringList(params, 'SecurityGroupIds', 'SecurityGroupId') ?? [];
  const subnetIds = readStringList(params, 'SubnetIds', 'SubnetId') ?? [];
  const restoring = readSnapshotArns(params, ctx.region);
  const userGroupId = optionalString(params, 'UserGroupId');
  if (userGroupId !== undefined && engine === 'memcached') {
    throw modeledFault('InvalidParameterCombinationException', 'UserGroupId cannot be used with the memcached engine: user groups are available for Valkey and Redis OSS only.');
  }

  if (ctx.store.getCache(name) !== undefined) throw modeledFault('ServerlessCacheAlreadyExistsFault', `Serverless cache ${name} already exists.`);
  const snapshots: SnapshotRecord[] = restoring.map(({ at, arn, name: snapshotName }) => {
    const s = ctx.store.getSnapshot(snapshotName);
    if (s === undefined) throw invalidParameterValue(`${at} (${arn}): serverless cache snapshot ${snapshotName} does not exist.`);
    if (s.status !== 'available') {
      throw invalidParameterValue(`${at} (${arn}): serverless cache snapshot ${s.name} is ${s.status}; only an available snapshot can be restored.`);
    }
    if (s.engine !== engine || (requestedVersion !== undefined && s.majorEngineVersion !== requestedVersion)) {
      throw modeledFault(
        'InvalidParameterCombinationException',
        `Engine ${engine}${requestedVersion === undefined ? '' : ` ${requestedVersion}`} does not match ${at}: serverless cache snapshot ${s.name} is ${s.engine} ${s.majorEngineVersion}.`,
      );
    }
    return s;
  });
  const versionsRestored = new Set(snapshots.map((s) => s.majorEngineVersion));
  if (versionsRestored.size > 1) {
    throw modeledFault('InvalidParameterCombinationException', `The snapshots to restore have different major engine versions (${[...versionsRestored].join(', ')}); a cache has one.`);
  }
  if (userGroupId !== undefined && !USER_GROUP_IDS.includes(userGroupId)) throw modeledFault('UserGroupNotFoundFault', `User group ${userGroupId} not found.`);
  if (ctx.store.cacheCount() >= ctx.serverlessCacheQuota) {
    throw modeledFault(
      'ServerlessCacheQuotaForCustomerExceededFault',
      `The account has reached its quota of ${ctx.serverlessCacheQuota} serverless caches in ${ctx.region}.`,
    );
  }

  const majorEngineVersion = snapshots[0]?.majorEngineVersion ?? requestedVersion ?? versions.latest;
  const cache: CacheRecord = {
    name,
    description: description ?? '',
    createTimeMs: ctx.nowMs,
    status: 'creating',
    statusUntilMs: transitionEnd(ctx, ctx.cacheAvailableAfterMs),
    engine: engine as Engine,
    majorEngineVersion,
    fullEngineVersion: versions.versions[majorEngineVersion] ?? majorEngineVersion,
    usageLimits,
    kmsKeyId: kmsKeyId ?? null,
    securityGroupIds: securityGroupIds.length > 0 ? securityGroupIds : [...DEFAULT_SECURITY_GROUP_IDS],
    ...cacheEndpoints(name, engine as Engine, ctx.region),
    userGroupId: userGroupId ?? null,
    subnetIds: subnetIds.length > 0 ? subnetIds : [...DEFAULT_SUBNET_IDS],
    snapshotRetentionLimit: snapshotRetentionLimit ?? 0,
    dailySnapshotTime: dailySnapshotTime ?? null,
    networkType: networkType as CacheRecord['networkType'],
    bytesUsed: snapshots.reduce((sum, s) => sum + Number(s.bytesUsedForCache), 0),
    tags: storedTags(tags?.tags),
  };
  ctx.store.addCache(cache);
  ctx.store.advance(ctx.nowMs);
  const answer = { ServerlessCache: serverlessCacheShape(ctx.store.getCache(name) ?? cache, ctx.region) };
  await commit(ctx, () => ctx.store.removeCache(name));
  return answer;
};
