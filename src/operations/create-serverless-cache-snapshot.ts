/**
 * CreateServerlessCacheSnapshot: the input rules the gateway checks first, the command, what each
 * fault is about, and the success. Whether a lost answer hides a snapshot is decided a level up
 * (src/snapshots/creation.ts), from the attempts this call reports.
 */
import { CreateServerlessCacheSnapshotCommand, type ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { AttemptFate } from '../elasticache/attempts';
import { AwsFault } from '../elasticache/aws-fault';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { CreateServerlessCacheSnapshotInput } from '../generated/graphql';
import { checkCreateSnapshot } from '../aws/rules';
import { faultMember, type FaultOf } from './faults';
import { ruleFault } from './send';

/** The result union's faults, in the model's order (test/schema.test.ts holds them to it). */
export const CREATE_SERVERLESS_CACHE_SNAPSHOT_FAULTS = [
  'ServerlessCacheSnapshotAlreadyExistsFault',
  'ServerlessCacheNotFoundFault',
  'InvalidServerlessCacheStateFault',
  'ServerlessCacheSnapshotQuotaExceededFault',
  'ServiceLinkedRoleNotFoundFault',
  'TagQuotaPerResourceExceeded',
  'InvalidParameterValueException',
  'InvalidParameterCombinationException',
] as const;

export type CreateServerlessCacheSnapshotFault = FaultOf<(typeof CREATE_SERVERLESS_CACHE_SNAPSHOT_FAULTS)[number]>;

export type CreateServerlessCacheSnapshotOutcome =
  | { serverlessCacheSnapshot: ServerlessCacheSnapshot; awsRequestId: string | undefined }
  /** A documented fault, and what became of the attempts before the one it answered. */
  | { fault: CreateServerlessCacheSnapshotFault; attempts: readonly AttemptFate[] };

/** The first documented rule the input breaks (src/aws/rules.ts), as the fault AWS would answer; null when valid. */
export function validateCreateServerlessCacheSnapshot(input: CreateServerlessCacheSnapshotInput): CreateServerlessCacheSnapshotFault | null {
  const violation = checkCreateSnapshot(input);
  return violation === null
    ? null
    : ruleFault(violation, { serverlessCacheName: input.serverlessCacheName, serverlessCacheSnapshotName: input.serverlessCacheSnapshotName });
}

/**
 * The new snapshot, or the documented fault with the attempts before it. Throws `UpstreamError`
 * with every attempt's fate: whether AWS may have created the snapshot is for the caller to find out.
 */
export async function createServerlessCacheSnapshot(
  aws: ElastiCacheDataSource,
  input: CreateServerlessCacheSnapshotInput,
): Promise<CreateServerlessCacheSnapshotOutcome> {
  const tags = input.tags ?? [];
  const command = new CreateServerlessCacheSnapshotCommand({
    ServerlessCacheSnapshotName: input.serverlessCacheSnapshotName,
    ServerlessCacheName: input.serverlessCacheName,
    KmsKeyId: input.kmsKeyId ?? undefined,
    Tags: tags.length > 0 ? tags.map((t) => ({ Key: t.key, Value: t.value ?? undefined })) : undefined,
  });
  try {
    const output = await aws.send('CreateServerlessCacheSnapshot', command);
    return {
      serverlessCacheSnapshot: aws.required(output.ServerlessCacheSnapshot, 'CreateServerlessCacheSnapshot'),
      awsRequestId: output.$metadata.requestId,
    };
  } catch (error) {
    if (!(error instanceof AwsFault)) throw error;
    const fault = faultMember(error, CREATE_SERVERLESS_CACHE_SNAPSHOT_FAULTS, {
      serverlessCacheName: input.serverlessCacheName,
      serverlessCacheSnapshotName: input.serverlessCacheSnapshotName,
      // A new snapshot's tags are the request's; without any, AWS's count is not ours to guess.
      requestedTagCount: tags.length > 0 ? tags.length : undefined,
    });
    if (fault === undefined) throw aws.unexpected(error);
    return { fault, attempts: error.attempts };
  }
}
