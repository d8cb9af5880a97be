/** DeleteServerlessCacheSnapshot: the command, what each fault is about, the success (status `deleting`). */
import { DeleteServerlessCacheSnapshotCommand, type ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { FaultOf } from './faults';
import { sendForMember, type MutationOutcome } from './send';

export const DELETE_SERVERLESS_CACHE_SNAPSHOT_FAULTS = [
  'ServiceLinkedRoleNotFoundFault',
  'ServerlessCacheSnapshotNotFoundFault',
  'InvalidServerlessCacheSnapshotStateFault',
  'InvalidParameterValueException',
] as const;

export type DeleteServerlessCacheSnapshotFault = FaultOf<(typeof DELETE_SERVERLESS_CACHE_SNAPSHOT_FAULTS)[number]>;

export async function deleteServerlessCacheSnapshot(
  aws: ElastiCacheDataSource,
  serverlessCacheSnapshotName: string,
): Promise<MutationOutcome<ServerlessCacheSnapshot, (typeof DELETE_SERVERLESS_CACHE_SNAPSHOT_FAULTS)[number]>> {
  const command = new DeleteServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: serverlessCacheSnapshotName });
  const outcome = await sendForMember(
    aws,
    'DeleteServerlessCacheSnapshot',
    command,
    DELETE_SERVERLESS_CACHE_SNAPSHOT_FAULTS,
    { serverlessCacheSnapshotName },
  );
  if ('fault' in outcome) return outcome;
  return { output: aws.required(outcome.output.ServerlessCacheSnapshot, 'DeleteServerlessCacheSnapshot') };
}
