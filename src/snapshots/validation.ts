/**
 * The input rules AWS documents for CreateServerlessCacheSnapshot, checked before any AWS call so
 * a bad request costs no API quota and gets a precise `field`. Only documented rules are here: a
 * rule AWS does not have would refuse requests AWS accepts.
 */
import type { CreateServerlessCacheSnapshotInput } from '../generated/graphql';
import { buildFault, MAX_TAGS_PER_RESOURCE, type FaultOf } from '../operations/faults';

type CreateSnapshotRequest = CreateServerlessCacheSnapshotInput;
/** The faults the gateway's own checks answer with, as AWS would. */
type RuleFault = FaultOf<'InvalidParameterValueException' | 'TagQuotaPerResourceExceeded'>;

export const SNAPSHOT_NAME_MAX_LENGTH = 255;
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;
const RESERVED_TAG_PREFIX = 'aws:';

/** AWS counts characters, not UTF-16 code units: an emoji is one character. */
const length = (s: string) => [...s].length;

const invalid = (field: string[], message: string): RuleFault =>
  buildFault('InvalidParameterValueException', {}, { awsRequestId: null, field, message });

/** The first rule the request breaks, as the fault AWS would answer with; null when it is valid. */
export function validateCreateSnapshotRequest(request: CreateSnapshotRequest): RuleFault | null {
  const nameLength = length(request.serverlessCacheSnapshotName);
  if (nameLength < 1 || nameLength > SNAPSHOT_NAME_MAX_LENGTH) {
    return invalid(
      ['serverlessCacheSnapshotName'],
      `The snapshot name must be 1 to ${SNAPSHOT_NAME_MAX_LENGTH} characters long; it has ${nameLength}.`,
    );
  }
  if (request.serverlessCacheName.length === 0) {
    return invalid(['serverlessCacheName'], 'The serverless cache name must not be empty.');
  }
  return validateTags(request.tags ?? [], {
    serverlessCacheName: request.serverlessCacheName,
    serverlessCacheSnapshotName: request.serverlessCacheSnapshotName,
  });
}

function validateTags(
  tags: NonNullable<CreateSnapshotRequest['tags']>,
  subject: { serverlessCacheName: string; serverlessCacheSnapshotName: string },
): RuleFault | null {
  const firstIndexOfKey = new Map<string, number>();
  for (const [index, { key, value }] of tags.entries()) {
    const at = `tags[${index}]`;
    const keyField = ['tags', String(index), 'key'];
    const keyLength = length(key);
    if (keyLength < 1 || keyLength > TAG_KEY_MAX_LENGTH) {
      return invalid(keyField, `The tag key at ${at} must be 1 to ${TAG_KEY_MAX_LENGTH} characters long; it has ${keyLength}.`);
    }
    // Reserved in any case (`AWS:`, `Aws:`), as AWS's tagging rules say.
    if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
      return invalid(keyField, `The tag key "${key}" at ${at} starts with "${RESERVED_TAG_PREFIX}", which is reserved for AWS.`);
    }
    const earlier = firstIndexOfKey.get(key);
    if (earlier !== undefined) {
      return invalid(keyField, `The tag key "${key}" appears twice, at tags[${earlier}] and ${at}; tag keys must be unique.`);
    }
    firstIndexOfKey.set(key, index);
    if (value != null && length(value) > TAG_VALUE_MAX_LENGTH) {
      return invalid(
        ['tags', String(index), 'value'],
        `The tag value at ${at} must be at most ${TAG_VALUE_MAX_LENGTH} characters long; it has ${length(value)}.`,
      );
    }
  }
  // Counted after the tags themselves are checked, as AWS does: a bad value is a parameter fault
  // whatever the count.
  if (tags.length > MAX_TAGS_PER_RESOURCE) {
    return buildFault('TagQuotaPerResourceExceeded', { ...subject, requestedTagCount: tags.length }, { awsRequestId: null });
  }
  return null;
}
