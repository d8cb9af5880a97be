/**
 * The input rules AWS documents (in prose: the model has no length or pattern traits) for the
 * serverless snapshot and cache operations, defined once for the gateway and the emulator.
 * Pure: no I/O, no emulator or GraphQL imports, nothing thrown.
 *
 * ## API
 *
 * Each `check…` function returns the FIRST rule the input breaks, as a `RuleViolation`, or `null`:
 *
 *   checkCreateSnapshot({ serverlessCacheSnapshotName, serverlessCacheName, kmsKeyId?, tags? }, options?)
 *   checkCopySnapshot({ sourceServerlessCacheSnapshotName, targetServerlessCacheSnapshotName, kmsKeyId?, tags? }, options?)
 *   checkAddTags({ tags, existingTags? }, options?)
 *   checkCreateCache({ serverlessCacheName, description?, kmsKeyId?, snapshotRetentionLimit?, tags? }, options?)
 *
 * and the single rules they are made of: `checkName`, `checkDescription`, `checkKmsKeyId`,
 * `checkSnapshotRetentionLimit`, `checkTags`. Absent optional members are `undefined` or `null`.
 *
 * A violation is `{ kind, field, message }` (plus `tagCount` for the tag quota):
 * - `kind`: `'invalid-value'` (AWS answers `InvalidParameterValue`) or `'tag-quota'` (AWS answers
 *   `TagQuotaPerResourceExceeded`).
 * - `field`: the path of the offending value in the request, as AWS member names in camelCase
 *   with 0-based positions in the arrays you passed: `['serverlessCacheSnapshotName']`,
 *   `['tags', '3', 'key']`, `['tags', '3', 'value']`, `['tags']` (the count). Map it to your own
 *   input's names if they differ.
 * - `message`: one sentence for people, naming the field with `options.label(field)`; the default
 *   label writes `serverlessCacheSnapshotName` and `tags[3].key`. The emulator passes a label that
 *   writes wire names (`The parameter ServerlessCacheSnapshotName`, `Tags.Tag.4.Key`).
 *
 * ## Order of checks (fixed, so both sides report the same first problem)
 *
 * Members in the order of the function's input type above; per tag, in array order: key present,
 * key length, reserved `aws:` prefix, key unique, value length; the tag count last of all, so a
 * malformed tag is never masked by the count.
 *
 * ## The rules
 *
 * - Names (snapshot, target, source, cache): 1–255 characters. AWS stores names lower-cased, so
 *   the length is that of the lower-cased name (the same for every name short of exotic letters).
 * - Description ≤ 255 characters. `KmsKeyId`: 1–2048 characters (KMS's own KeyId limit; ids,
 *   aliases and ARNs all fit). `SnapshotRetentionLimit`: an integer 0–35.
 * - Tags: key 1–128 characters, value absent/null or ≤ 256 characters, keys unique (case-
 *   sensitive, as AWS tag keys are), no key starting with `aws:` in any case (reserved for AWS),
 *   at most 50 per resource. For AddTagsToResource the 50 are counted after merging with the
 *   resource's existing tags (a key already there is overwritten, not added); keys with the `aws:`
 *   prefix do not count, as AWS documents. Characters are not restricted ("ElastiCache allows for
 *   any character in its tags").
 * - "Characters" are Unicode code points, not UTF-16 units: an emoji counts as one.
 *
 * ## Example (the gateway)
 *
 *   const v = checkCreateSnapshot({ serverlessCacheSnapshotName: input.name, serverlessCacheName: input.cache, tags: input.tags });
 *   const v = checkCopySnapshot({ sourceServerlessCacheSnapshotName: a, targetServerlessCacheSnapshotName: b, tags });
 *   const v = checkAddTags({ tags, existingTags }); // without existingTags: the request's own 50
 *   if (v?.kind === 'tag-quota') → TagQuotaPerResourceExceeded (v.tagCount tags)
 *   else if (v) → InvalidParameterValue with field v.field and message v.message
 */

export const NAME_MAX_LENGTH = 255;
export const DESCRIPTION_MAX_LENGTH = 255;
export const KMS_KEY_ID_MAX_LENGTH = 2048;
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;
export const MAX_TAGS_PER_RESOURCE = 50;
export const SNAPSHOT_RETENTION_LIMIT_MAX = 35;
export const RESERVED_TAG_PREFIX = 'aws:';

export type RuleViolation =
  | { kind: 'invalid-value'; field: string[]; message: string }
  | { kind: 'tag-quota'; field: string[]; message: string; /** Tags the resource would have. */ tagCount: number };

export interface TagInput {
  /** May not be null; the wire can still omit it, so the rule checks. */
  key: string | null | undefined;
  value?: string | null;
}

/** Names a field in messages. */
export type FieldLabel = (field: readonly string[]) => string;

export interface RuleOptions {
  label?: FieldLabel;
}

/** `serverlessCacheSnapshotName`, `tags[3].key`. */
export const defaultLabel: FieldLabel = (field) => field.map((part, i) => (i === 0 ? part : /^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('');

/** Length in Unicode code points, the unit AWS's "characters" limits count. */
export const codePointLength = (s: string): number => Array.from(s).length;

/** Whether AWS reserves the key (`aws:` in any case). */
export const isReservedTagKey = (key: string): boolean => key.toLowerCase().startsWith(RESERVED_TAG_PREFIX);

type Absent = undefined | null;

const invalid = (field: string[], message: string): RuleViolation => ({ kind: 'invalid-value', field, message });
const labelOf = (options: RuleOptions | undefined): FieldLabel => options?.label ?? defaultLabel;

/** A snapshot or cache name: 1–255 characters as stored (lower-cased). */
export function checkName(field: string[], name: string, options?: RuleOptions): RuleViolation | null {
  const length = codePointLength(name.toLowerCase());
  if (length < 1 || length > NAME_MAX_LENGTH) {
    return invalid(field, `${labelOf(options)(field)} must be between 1 and ${NAME_MAX_LENGTH} characters long; it is ${length}.`);
  }
  return null;
}

export function checkDescription(field: string[], description: string | Absent, options?: RuleOptions): RuleViolation | null {
  if (description == null) return null;
  const length = codePointLength(description);
  if (length > DESCRIPTION_MAX_LENGTH) {
    return invalid(field, `${labelOf(options)(field)} must be at most ${DESCRIPTION_MAX_LENGTH} characters long; it is ${length}.`);
  }
  return null;
}

export function checkKmsKeyId(field: string[], kmsKeyId: string | Absent, options?: RuleOptions): RuleViolation | null {
  if (kmsKeyId == null) return null;
  const length = codePointLength(kmsKeyId);
  if (length < 1) return invalid(field, `${labelOf(options)(field)} must not be empty; omit it for the default key.`);
  if (length > KMS_KEY_ID_MAX_LENGTH) {
    return invalid(field, `${labelOf(options)(field)} must be at most ${KMS_KEY_ID_MAX_LENGTH} characters long; it is ${length}.`);
  }
  return null;
}

export function checkSnapshotRetentionLimit(field: string[], limit: number | Absent, options?: RuleOptions): RuleViolation | null {
  if (limit == null) return null;
  if (!Number.isInteger(limit) || limit < 0 || limit > SNAPSHOT_RETENTION_LIMIT_MAX) {
    return invalid(field, `${labelOf(options)(field)} must be a whole number of days between 0 and ${SNAPSHOT_RETENTION_LIMIT_MAX}; it is ${limit}.`);
  }
  return null;
}

/**
 * Tags given in one request, under `field` (default `['tags']`). With `existing`, the count is of
 * the resource's tags after the request's are merged in (AddTagsToResource); without, of the
 * request's own (create and copy store only the request's tags).
 */
export function checkTags(
  tags: readonly TagInput[] | Absent,
  options?: RuleOptions & { field?: string[]; existing?: readonly TagInput[] | Absent },
): RuleViolation | null {
  if (tags == null) return null;
  const base = options?.field ?? ['tags'];
  const label = labelOf(options);
  const seen = new Set<string>();
  for (const [index, { key, value }] of tags.entries()) {
    const keyField = [...base, String(index), 'key'];
    const at = label(keyField);
    if (key == null) return invalid(keyField, `${at} must be provided: a tag key may not be null.`);
    const keyLength = codePointLength(key);
    if (keyLength < 1 || keyLength > TAG_KEY_MAX_LENGTH) {
      return invalid(keyField, `${at} must be between 1 and ${TAG_KEY_MAX_LENGTH} characters long; it is ${keyLength}.`);
    }
    if (isReservedTagKey(key)) return invalid(keyField, `${at}: the ${RESERVED_TAG_PREFIX} prefix is reserved for AWS use.`);
    if (seen.has(key)) return invalid(keyField, `${at}: the tag key "${key}" is given more than once; tag keys must be unique.`);
    seen.add(key);
    if (value != null && codePointLength(value) > TAG_VALUE_MAX_LENGTH) {
      const valueField = [...base, String(index), 'value'];
      return invalid(valueField, `${label(valueField)} must be at most ${TAG_VALUE_MAX_LENGTH} characters long; it is ${codePointLength(value)}.`);
    }
  }
  const keys = new Set(seen);
  for (const tag of options?.existing ?? []) if (tag.key != null && !isReservedTagKey(tag.key)) keys.add(tag.key);
  if (keys.size > MAX_TAGS_PER_RESOURCE) {
    return {
      kind: 'tag-quota',
      field: base,
      tagCount: keys.size,
      message: `The request would give the resource ${keys.size} tags; the maximum number of tags permitted on a resource is ${MAX_TAGS_PER_RESOURCE}.`,
    };
  }
  return null;
}

const first = (...checks: (() => RuleViolation | null)[]): RuleViolation | null => {
  for (const check of checks) {
    const violation = check();
    if (violation !== null) return violation;
  }
  return null;
};

export interface CreateSnapshotInput {
  serverlessCacheSnapshotName: string;
  serverlessCacheName: string;
  kmsKeyId?: string | null;
  tags?: readonly TagInput[] | null;
}

/** CreateServerlessCacheSnapshot. */
export function checkCreateSnapshot(input: CreateSnapshotInput, options?: RuleOptions): RuleViolation | null {
  return first(
    () => checkName(['serverlessCacheSnapshotName'], input.serverlessCacheSnapshotName, options),
    () => checkName(['serverlessCacheName'], input.serverlessCacheName, options),
    () => checkKmsKeyId(['kmsKeyId'], input.kmsKeyId, options),
    () => checkTags(input.tags, options),
  );
}

export interface CopySnapshotInput {
  sourceServerlessCacheSnapshotName: string;
  targetServerlessCacheSnapshotName: string;
  kmsKeyId?: string | null;
  tags?: readonly TagInput[] | null;
}

/** CopyServerlessCacheSnapshot. */
export function checkCopySnapshot(input: CopySnapshotInput, options?: RuleOptions): RuleViolation | null {
  return first(
    () => checkName(['sourceServerlessCacheSnapshotName'], input.sourceServerlessCacheSnapshotName, options),
    () => checkName(['targetServerlessCacheSnapshotName'], input.targetServerlessCacheSnapshotName, options),
    () => checkKmsKeyId(['kmsKeyId'], input.kmsKeyId, options),
    () => checkTags(input.tags, options),
  );
}

export interface AddTagsInput {
  tags: readonly TagInput[];
  /** The resource's current tags; when unknown, only the request's own tags are counted. */
  existingTags?: readonly TagInput[] | null;
}

/** AddTagsToResource. */
export function checkAddTags(input: AddTagsInput, options?: RuleOptions): RuleViolation | null {
  return checkTags(input.tags, { ...options, existing: input.existingTags });
}

export interface CreateCacheInput {
  serverlessCacheName: string;
  description?: string | null;
  kmsKeyId?: string | null;
  snapshotRetentionLimit?: number | null;
  tags?: readonly TagInput[] | null;
}

/** CreateServerlessCache (the members with documented limits). */
export function checkCreateCache(input: CreateCacheInput, options?: RuleOptions): RuleViolation | null {
  return first(
    () => checkName(['serverlessCacheName'], input.serverlessCacheName, options),
    () => checkDescription(['description'], input.description, options),
    () => checkKmsKeyId(['kmsKeyId'], input.kmsKeyId, options),
    () => checkSnapshotRetentionLimit(['snapshotRetentionLimit'], input.snapshotRetentionLimit, options),
    () => checkTags(input.tags, options),
  );
}

export interface RemoveTagsInput {
  tagKeys: readonly string[] | null | undefined;
}

/** RemoveTagsFromResource: at least one key, none empty, none of AWS's own (`aws:` tags cannot be removed). */
export function checkRemoveTags(input: RemoveTagsInput, options?: RuleOptions): RuleViolation | null {
  const label = options?.label ?? defaultLabel;
  const keys = input.tagKeys ?? [];
  if (keys.length === 0) return { kind: 'invalid-value', field: ['tagKeys'], message: `${label(['tagKeys'])} must contain at least one tag key.` };
  for (const [index, key] of keys.entries()) {
    const field = ['tagKeys', String(index)];
    if (key.length === 0) return { kind: 'invalid-value', field, message: `${label(field)} must not be empty.` };
    if (isReservedTagKey(key)) {
      return { kind: 'invalid-value', field, message: `${label(field)}: the tag key "${key}" starts with aws:, a prefix reserved for AWS use; such tags cannot be removed.` };
    }
  }
  return null;
}
