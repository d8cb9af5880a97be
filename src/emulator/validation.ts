/**
 * Readers for operation parameters. The wire concerns live here (presence, list encodings,
 * integers); the rules AWS documents in prose (lengths, tag rules) are the shared ones in
 * `src/aws/rules.ts`, which the gateway checks too, and `raise` turns their violations into the
 * AWS error a client sees. Every failure is an `InvalidParameterValue` naming the parameter by its
 * wire name, except the tag count, which has its own fault.
 */
import { checkTags, codePointLength, type FieldLabel, type RuleOptions, type RuleViolation, type TagInput } from '../aws/rules';
import { AwsError, invalidParameterValue, modeledFault } from './faults';
import { FormError, type FormListItem, type FormParams } from './form';
import type { Tag } from './state';

export { codePointLength, MAX_TAGS_PER_RESOURCE } from '../aws/rules';

export function requiredString(params: FormParams, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw invalidParameterValue(`The parameter ${name} must be provided.`);
  if (value === '') throw invalidParameterValue(`The parameter ${name} must not be empty.`);
  return value;
}

/** An optional string; sent empty it is treated as absent, as the SDK sends nothing for `undefined`. */
export function optionalString(params: FormParams, name: string): string | undefined {
  const value = params.get(name);
  return value === undefined || value === '' ? undefined : value;
}

export function lengthBetween(name: string, value: string, min: number, max: number): string {
  const length = codePointLength(value);
  if (length < min || length > max) {
    throw invalidParameterValue(`The parameter ${name} must be between ${min} and ${max} characters long; it is ${length}.`);
  }
  return value;
}

export function optionalInteger(params: FormParams, name: string, min: number, max: number): number | undefined {
  const text = params.get(name);
  if (text === undefined) return undefined;
  if (!/^[+-]?\d{1,15}$/.test(text)) throw invalidParameterValue(`The parameter ${name} must be an integer.`);
  const value = Number(text);
  if (value < min || value > max) throw invalidParameterValue(`The parameter ${name} must be between ${min} and ${max}; it is ${value}.`);
  return value;
}

/** Converts the form decoder's structural complaints into the AWS error a client sees. */
export function formList(params: FormParams, listName: string, memberName: string): FormListItem[] | undefined {
  try {
    return params.list(listName, memberName);
  } catch (err) {
    if (err instanceof FormError) throw invalidParameterValue(err.message);
    throw err;
  }
}

/**
 * A list of strings (`SnapshotArnsToRestore.SnapshotArn.N`, `TagKeys.member.N`) in wire-index
 * order; `undefined` when absent, `[]` for `Name=`. Items are scalars and must not be empty.
 */
export function readStringList(params: FormParams, listName: string, memberName: string): string[] | undefined {
  const items = formList(params, listName, memberName);
  if (items === undefined) return undefined;
  return items.map(({ index, fields }) => {
    const at = `${listName}.${memberName}.${index}`;
    for (const field of fields.keys()) if (field !== '') throw invalidParameterValue(`Unexpected parameter ${at}.${field}: the items of ${listName} are plain values.`);
    const value = fields.get('');
    if (value === undefined || value === '') throw invalidParameterValue(`${at} must not be empty.`);
    return value;
  });
}

/** The tags of a request as the rules take them, with the wire index of each (for messages). */
export interface WireTags {
  tags: TagInput[];
  wireIndices: number[];
}

/** Reads `Tags.Tag.N.Key/Value` in wire-index order, checking only the encoding; `undefined` when absent. */
export function readTagList(params: FormParams): WireTags | undefined {
  const items = formList(params, 'Tags', 'Tag');
  if (items === undefined) return undefined;
  const tags: TagInput[] = [];
  const wireIndices: number[] = [];
  for (const { index, fields } of items) {
    const at = `Tags.Tag.${index}`;
    for (const field of fields.keys()) {
      if (field !== 'Key' && field !== 'Value') throw invalidParameterValue(`Unexpected parameter ${field === '' ? at : `${at}.${field}`}: a tag has only Key and Value.`);
    }
    tags.push({ key: fields.get('Key'), value: fields.get('Value') ?? null });
    wireIndices.push(index);
  }
  return { tags, wireIndices };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Names the rules' fields by their wire names: `['serverlessCacheName']` → `The parameter
 * ServerlessCacheName`, `['tags', '0', 'key']` → `Tags.Tag.<its wire index>.Key`.
 */
export function wireLabel(tagWireIndices: readonly number[] = []): FieldLabel {
  return (field) => {
    const [head = '', position, leaf] = field;
    if (head === 'tags' && position !== undefined) {
      const index = tagWireIndices[Number(position)] ?? Number(position) + 1;
      return `Tags.Tag.${index}${leaf === undefined ? '' : `.${capitalise(leaf)}`}`;
    }
    return `The parameter ${capitalise(head)}`;
  };
}

/** Rule options that name fields by their wire names. */
export const wireRuleOptions = (tags?: WireTags): RuleOptions => ({ label: wireLabel(tags?.wireIndices) });

/** The AWS error for a rule violation. */
export function violationError(violation: RuleViolation): AwsError {
  return violation.kind === 'tag-quota' ? modeledFault('TagQuotaPerResourceExceeded', violation.message) : invalidParameterValue(violation.message);
}

/** Throws the AWS error for a violation, if there is one. */
export function raise(violation: RuleViolation | null): void {
  if (violation !== null) throw violationError(violation);
}

/** Tags the rules accepted, as stored (a key is always present once the rules passed). */
export const storedTags = (tags: readonly TagInput[] | undefined): Tag[] => (tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? null }));

/**
 * Reads `Tags.Tag.N.Key/Value` and checks them with the shared tag rules, the count included:
 * what create and copy store. Per-tag problems are reported before the count.
 */
export function readTags(params: FormParams): Tag[] {
  const wire = readTagList(params);
  if (wire === undefined) return [];
  raise(checkTags(wire.tags, wireRuleOptions(wire)));
  return storedTags(wire.tags);
}
