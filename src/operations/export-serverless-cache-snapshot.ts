/** ExportServerlessCacheSnapshot: the command, what each fault is about, the success. */
import { ExportServerlessCacheSnapshotCommand, type ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { ExportServerlessCacheSnapshotInput } from '../generated/graphql';
import type { FaultOf } from './faults';
import { sendForMember, type MutationOutcome } from './send';

export const EXPORT_SERVERLESS_CACHE_SNAPSHOT_FAULTS = [
  'ServerlessCacheSnapshotNotFoundFault',
  'InvalidServerlessCacheSnapshotStateFault',
  'ServiceLinkedRoleNotFoundFault',
  'InvalidParameterValueException',
] as const;

export type ExportServerlessCacheSnapshotFault = FaultOf<(typeof EXPORT_SERVERLESS_CACHE_SNAPSHOT_FAULTS)[number]>;

export async function exportServerlessCacheSnapshot(
  aws: ElastiCacheDataSource,
  input: ExportServerlessCacheSnapshotInput,
): Promise<MutationOutcome<ServerlessCacheSnapshot, (typeof EXPORT_SERVERLESS_CACHE_SNAPSHOT_FAULTS)[number]>> {
  const command = new ExportServerlessCacheSnapshotCommand({
    ServerlessCacheSnapshotName: input.serverlessCacheSnapshotName,
    S3BucketName: input.s3BucketName,
  });
  const outcome = await sendForMember(
    aws,
    'ExportServerlessCacheSnapshot',
    command,
    EXPORT_SERVERLESS_CACHE_SNAPSHOT_FAULTS,
    { serverlessCacheSnapshotName: input.serverlessCacheSnapshotName },
  );
  if ('fault' in outcome) return outcome;
  return { output: aws.required(outcome.output.ServerlessCacheSnapshot, 'ExportServerlessCacheSnapshot') };
}
