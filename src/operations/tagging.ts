/**
 * The three tagging operations on a snapshot's ARN: AddTagsToResource, RemoveTagsFromResource and
 * ListTagsForResource. AWS documents one fault list for all three (with a fault or two of their
 * own), most of it about other resource types; each list is kept whole, as the model has it.
 */
import {
  AddTagsToResourceCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  type Tag as AwsTag,
} from '@aws-sdk/client-elasticache';
import { checkAddTags, checkRemoveTags } from '../aws/rules';
import { isAwsFault } from '../elasticache/aws-fault';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { Tag, TagInput } from '../generated/graphql';
import { buildFault, type FaultOf } from './faults';
import { ruleFault, sendForMember, type MutationOutcome } from './send';

const ANY_RESOURCE_FAULTS = [
  'CacheClusterNotFoundFault',
  'CacheParameterGroupNotFoundFault',
  'CacheSecurityGroupNotFoundFault',
  'CacheSubnetGroupNotFoundFault',
  'InvalidReplicationGroupStateFault',
  'ReplicationGroupNotFoundFault',
  'ReservedCacheNodeNotFoundFault',
  'SnapshotNotFoundFault',
  'UserNotFoundFault',
  'UserGroupNotFoundFault',
  'ServerlessCacheNotFoundFault',
  'InvalidServerlessCacheStateFault',
  'ServerlessCacheSnapshotNotFoundFault',
  'InvalidServerlessCacheSnapshotStateFault',
] as const;

export const ADD_TAGS_TO_RESOURCE_FAULTS = [...ANY_RESOURCE_FAULTS, 'TagQuotaPerResourceExceeded', 'InvalidARNFault'] as const;
// The model lists InvalidParameterValue for none of the three; the gateway's own tag checks answer
// with it anyway (tagServerlessCacheSnapshot's union adds it).
export const TAG_SERVERLESS_CACHE_SNAPSHOT_MEMBERS = [...ADD_TAGS_TO_RESOURCE_FAULTS, 'InvalidParameterValueException'] as const;
export const REMOVE_TAGS_FROM_RESOURCE_FAULTS = [...ANY_RESOURCE_FAULTS, 'InvalidARNFault', 'TagNotFoundFault'] as const;
export const UNTAG_SERVERLESS_CACHE_SNAPSHOT_MEMBERS = [...REMOVE_TAGS_FROM_RESOURCE_FAULTS, 'InvalidParameterValueException'] as const;

export type TagSnapshotFault = FaultOf<(typeof TAG_SERVERLESS_CACHE_SNAPSHOT_MEMBERS)[number]>;
export type UntagSnapshotFault = FaultOf<(typeof UNTAG_SERVERLESS_CACHE_SNAPSHOT_MEMBERS)[number]>;

export interface TaggedSnapshot {
  arn: string;
  serverlessCacheSnapshotName: string;
}

export const tagsOf = (list: readonly AwsTag[] | undefined): Tag[] => (list ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? null }));

/** The first documented rule the tags break (counted alone: the merge is AWS's to count). */
export function validateTagSnapshot(snapshot: TaggedSnapshot, tags: readonly TagInput[]): TagSnapshotFault | null {
  const violation = checkAddTags({ tags });
  return violation === null ? null : ruleFault(violation, { serverlessCacheSnapshotName: snapshot.serverlessCacheSnapshotName });
}

/** The first documented rule the keys break: none given, an empty one, or one of AWS's own (`aws:`). */
export function validateUntagSnapshot(snapshot: TaggedSnapshot, tagKeys: readonly string[]): UntagSnapshotFault | null {
  const violation = checkRemoveTags({ tagKeys });
  if (violation === null) return null;
  return buildFault('InvalidParameterValueException', { serverlessCacheSnapshotName: snapshot.serverlessCacheSnapshotName }, {
    awsRequestId: null,
    field: violation.field,
    message: violation.message,
  });
}

export async function addTagsToSnapshot(
  aws: ElastiCacheDataSource,
  snapshot: TaggedSnapshot,
  tags: readonly TagInput[],
): Promise<MutationOutcome<Tag[], (typeof ADD_TAGS_TO_RESOURCE_FAULTS)[number]>> {
  const command = new AddTagsToResourceCommand({ ResourceName: snapshot.arn, Tags: tags.map((t) => ({ Key: t.key, Value: t.value ?? undefined })) });
  const outcome = await sendForMember(
    aws,
    'AddTagsToResource',
    command,
    ADD_TAGS_TO_RESOURCE_FAULTS,
    { serverlessCacheSnapshotName: snapshot.serverlessCacheSnapshotName, resourceName: snapshot.arn, requestedTagCount: tags.length },
  );
  return 'fault' in outcome ? outcome : { output: tagsOf(outcome.output.TagList) };
}

export async function removeTagsFromSnapshot(
  aws: ElastiCacheDataSource,
  snapshot: TaggedSnapshot,
  tagKeys: readonly string[],
): Promise<MutationOutcome<Tag[], (typeof REMOVE_TAGS_FROM_RESOURCE_FAULTS)[number]>> {
  const command = new RemoveTagsFromResourceCommand({ ResourceName: snapshot.arn, TagKeys: [...tagKeys] });
  const outcome = await sendForMember(
    aws,
    'RemoveTagsFromResource',
    command,
    REMOVE_TAGS_FROM_RESOURCE_FAULTS,
    { serverlessCacheSnapshotName: snapshot.serverlessCacheSnapshotName, resourceName: snapshot.arn },
  );
  return 'fault' in outcome ? outcome : { output: tagsOf(outcome.output.TagList) };
}

/** A snapshot's tags; none for a snapshot AWS no longer has (it may have been deleted since it was read). */
export async function listSnapshotTags(aws: ElastiCacheDataSource, arn: string): Promise<Tag[]> {
  const command = new ListTagsForResourceCommand({ ResourceName: arn });
  try {
    const output = await aws.send('ListTagsForResource', command);
    return tagsOf(output.TagList);
  } catch (error) {
    if (isAwsFault(error, 'ServerlessCacheSnapshotNotFoundFault')) return [];
    if (isAwsFault(error)) throw aws.unexpected(error);
    throw error;
  }
}
