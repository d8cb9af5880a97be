/**
 * CreateServerlessCache, as the gateway uses it: to restore snapshots into a new cache
 * (`SnapshotArnsToRestore`). The input rules, the command, what each fault is about, the success.
 */
import { CreateServerlessCacheCommand, type ServerlessCache } from '@aws-sdk/client-elasticache';
import { checkCreateCache } from '../aws/rules';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { RestoreServerlessCacheFromSnapshotInput } from '../generated/graphql';
import type { FaultOf } from './faults';
import { ruleFault, sendForMember, type MutationOutcome } from './send';

export const CREATE_SERVERLESS_CACHE_FAULTS = [
  'ServerlessCacheNotFoundFault',
  'InvalidServerlessCacheStateFault',
  'ServerlessCacheAlreadyExistsFault',
  'ServerlessCacheQuotaForCustomerExceededFault',
  'InvalidParameterValueException',
  'InvalidParameterCombinationException',
  'InvalidCredentialsException',
  'InvalidUserGroupStateFault',
  'UserGroupNotFoundFault',
  'TagQuotaPerResourceExceeded',
  'ServiceLinkedRoleNotFoundFault',
] as const;

export type CreateServerlessCacheFault = FaultOf<(typeof CREATE_SERVERLESS_CACHE_FAULTS)[number]>;

/** What the restore sends besides the input: the snapshots' ARNs, and the engine they decide. */
export interface RestoreSource {
  snapshotArns: string[];
  engine: string;
  majorEngineVersion: string | undefined;
}

export function validateRestore(input: RestoreServerlessCacheFromSnapshotInput): CreateServerlessCacheFault | null {
  const violation = checkCreateCache(input);
  return violation === null ? null : ruleFault(violation, { serverlessCacheName: input.serverlessCacheName, requestedTagCount: input.tags?.length || undefined });
}

export async function createServerlessCache(
  aws: ElastiCacheDataSource,
  input: RestoreServerlessCacheFromSnapshotInput,
  source: RestoreSource,
): Promise<MutationOutcome<ServerlessCache, (typeof CREATE_SERVERLESS_CACHE_FAULTS)[number]>> {
  const tags = input.tags ?? [];
  const command = new CreateServerlessCacheCommand({
    ServerlessCacheName: input.serverlessCacheName,
    Engine: source.engine,
    Description: input.description ?? undefined,
    MajorEngineVersion: source.majorEngineVersion,
    KmsKeyId: input.kmsKeyId ?? undefined,
    SecurityGroupIds: input.securityGroupIds ?? undefined,
    SnapshotArnsToRestore: source.snapshotArns,
    Tags: tags.length > 0 ? tags.map((t) => ({ Key: t.key, Value: t.value ?? undefined })) : undefined,
    UserGroupId: input.userGroupId ?? undefined,
    SubnetIds: input.subnetIds ?? undefined,
    SnapshotRetentionLimit: input.snapshotRetentionLimit ?? undefined,
    DailySnapshotTime: input.dailySnapshotTime ?? undefined,
  });
  const outcome = await sendForMember(
    aws,
    'CreateServerlessCache',
    command,
    CREATE_SERVERLESS_CACHE_FAULTS,
    { serverlessCacheName: input.serverlessCacheName, requestedTagCount: tags.length || undefined },
  );
  if ('fault' in outcome) return outcome;
  return { output: aws.required(outcome.output.ServerlessCache, 'CreateServerlessCache') };
}
