/** CopyServerlessCacheSnapshot: the input rules, the command, what each fault is about, the success. */
import { CopyServerlessCacheSnapshotCommand, type ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { checkCopySnapshot } from '../aws/rules';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { CopyServerlessCacheSnapshotInput } from '../generated/graphql';
import type { FaultOf } from './faults';
import { ruleFault, sendForMember, type MutationOutcome } from './send';

export const COPY_SERVERLESS_CACHE_SNAPSHOT_FAULTS = [
  'ServerlessCacheSnapshotAlreadyExistsFault',
  'ServerlessCacheSnapshotNotFoundFault',
  'ServerlessCacheSnapshotQuotaExceededFault',
  'InvalidServerlessCacheSnapshotStateFault',
  'ServiceLinkedRoleNotFoundFault',
  'TagQuotaPerResourceExceeded',
  'InvalidParameterValueException',
  'InvalidParameterCombinationException',
] as const;

export type CopyServerlessCacheSnapshotFault = FaultOf<(typeof COPY_SERVERLESS_CACHE_SNAPSHOT_FAULTS)[number]>;

/** "Not found" and "not available" are about the source; "name taken" about the target. */
const subjects = (input: CopyServerlessCacheSnapshotInput, sourceCache?: string) => ({
  serverlessCacheSnapshotName: input.sourceServerlessCacheSnapshotName,
  serverlessCacheName: sourceCache,
  requestedTagCount: input.tags?.length || undefined,
});

export function validateCopyServerlessCacheSnapshot(input: CopyServerlessCacheSnapshotInput): CopyServerlessCacheSnapshotFault | null {
  const violation = checkCopySnapshot(input);
  return violation === null ? null : ruleFault(violation, subjects(input));
}

export async function copyServerlessCacheSnapshot(
  aws: ElastiCacheDataSource,
  input: CopyServerlessCacheSnapshotInput,
  sourceCache: string,
): Promise<MutationOutcome<ServerlessCacheSnapshot, (typeof COPY_SERVERLESS_CACHE_SNAPSHOT_FAULTS)[number]>> {
  const tags = input.tags ?? [];
  const command = new CopyServerlessCacheSnapshotCommand({
    SourceServerlessCacheSnapshotName: input.sourceServerlessCacheSnapshotName,
    TargetServerlessCacheSnapshotName: input.targetServerlessCacheSnapshotName,
    KmsKeyId: input.kmsKeyId ?? undefined,
    Tags: tags.length > 0 ? tags.map((t) => ({ Key: t.key, Value: t.value ?? undefined })) : undefined,
  });
  const outcome = await sendForMember(
    aws,
    'CopyServerlessCacheSnapshot',
    command,
    COPY_SERVERLESS_CACHE_SNAPSHOT_FAULTS,
    subjects(input, sourceCache),
  );
  if ('fault' in outcome) {
    // A taken name is the target's, not the source's.
    if (outcome.fault.__typename === 'ServerlessCacheSnapshotAlreadyExistsFault') {
      outcome.fault.serverlessCacheSnapshotName = input.targetServerlessCacheSnapshotName;
      outcome.fault.message = `A serverless cache snapshot named "${input.targetServerlessCacheSnapshotName}" already exists. Choose another name.`;
    }
    return outcome;
  }
  return { output: aws.required(outcome.output.ServerlessCacheSnapshot, 'CopyServerlessCacheSnapshot') };
}
