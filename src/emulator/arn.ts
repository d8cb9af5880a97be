/**
 * ElastiCache ARNs, `arn:aws:elasticache:<region>:<account>:<resource type>:<name>`, as the
 * tagging operations and restores name resources.
 */
import { EMULATOR_ACCOUNT_ID } from '../config';
import type { FaultShapeName } from './faults';

export interface ElastiCacheArn {
  region: string;
  account: string;
  resourceType: string;
  name: string;
}

/**
 * The resource types ElastiCache can tag (User Guide, "Tagging your ElastiCache resources") that
 * the emulator holds none of, with the fault AWS's tagging operations list for a missing one.
 */
export const UNEMULATED_TAGGABLE_TYPES: Readonly<Record<string, FaultShapeName>> = {
  cluster: 'CacheClusterNotFoundFault',
  parametergroup: 'CacheParameterGroupNotFoundFault',
  securitygroup: 'CacheSecurityGroupNotFoundFault',
  subnetgroup: 'CacheSubnetGroupNotFoundFault',
  replicationgroup: 'ReplicationGroupNotFoundFault',
  'reserved-instance': 'ReservedCacheNodeNotFoundFault',
  snapshot: 'SnapshotNotFoundFault',
  user: 'UserNotFoundFault',
  usergroup: 'UserGroupNotFoundFault',
};

export const SERVERLESS_CACHE_TYPE = 'serverlesscache';
export const SERVERLESS_SNAPSHOT_TYPE = 'serverlesscachesnapshot';

/**
 * Parses an ElastiCache ARN of the `aws` partition, or explains why `text` is not one. The name is
 * everything after the resource type (ElastiCache names have no colons, but nothing depends on it).
 */
export function parseElastiCacheArn(text: string): { arn: ElastiCacheArn } | { problem: string } {
  const parts = text.split(':');
  if (parts.length < 7 || parts[0] !== 'arn') return { problem: 'it is not an ARN (arn:aws:elasticache:<region>:<account>:<type>:<name>).' };
  const [, partition, service, region = '', account = '', resourceType = ''] = parts;
  const name = parts.slice(6).join(':');
  if (partition !== 'aws') return { problem: `its partition is ${partition ?? ''}; this endpoint serves the aws partition.` };
  if (service !== 'elasticache') return { problem: `it names the service ${service ?? ''}, not elasticache.` };
  if (region === '' || account === '' || resourceType === '' || name === '') return { problem: 'its region, account, resource type and name must not be empty.' };
  return { arn: { region, account, resourceType, name } };
}

/** Why the ARN cannot name a resource of this endpoint (another region or account), if it cannot. */
export function foreignArnProblem(arn: ElastiCacheArn, region: string): string | undefined {
  if (arn.region !== region) return `it names the region ${arn.region}; this endpoint serves ${region}.`;
  if (arn.account !== EMULATOR_ACCOUNT_ID) return `it names the account ${arn.account}; this endpoint serves ${EMULATOR_ACCOUNT_ID}.`;
  return undefined;
}
