/**
 * Readers for operation parameters, enforcing the rules the AWS docs state in prose (the model has
 * no length or range traits, and the JS SDK validates nothing client-side). Every failure is an
 * `InvalidParameterValue` naming the parameter, except the tag count, which has its own fault.
 */
import { invalidParameterValue, modeledFault } from './faults';
import { FormError, type FormParams } from './form';
import type { Tag } from './state';

/** Length in Unicode code points, the unit AWS's "characters" limits count (not UTF-16 units). */
export const codePointLength = (s: string): number => Array.from(s).length;

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

export const MAX_TAGS_PER_RESOURCE = 50;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/** Converts the form decoder's structural complaints into the AWS error a client sees. */
export function formList(params: FormParams, listName: string, memberName: string): ReturnType<FormParams['list']> {
  try {
    return params.list(listName, memberName);
  } catch (err) {
    if (err instanceof FormError) throw invalidParameterValue(err.message);
    throw err;
  }
}

/**
 * Reads `Tags.Tag.N.Key/Value` in wire-index order. Per-tag problems are reported before the
 * count, so a client fixing one error at a time never sees the count fault mask a malformed tag.
 * `aws:` is checked case-insensitively: AWS reserves the prefix and treats it that way elsewhere.
 */
export function readTags(params: FormParams): Tag[] {
  const items = formList(params, 'Tags', 'Tag');
  if (items === undefined) return [];
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const { index, fields } of items) {
    const at = `Tags.Tag.${index}`;
    for (const field of fields.keys()) {
      if (field !== 'Key' && field !== 'Value') throw invalidParameterValue(`Unexpected parameter ${field === '' ? at : `${at}.${field}`}: a tag has only Key and Value.`);
    }
    const key = fields.get('Key');
    const value = fields.get('Value') ?? null;
    if (key === undefined) throw invalidParameterValue(`${at}.Key must be provided: a tag key may not be null.`);
    const keyLength = codePointLength(key);
    if (keyLength < 1 || keyLength > MAX_TAG_KEY) {
      throw invalidParameterValue(`${at}.Key must be between 1 and ${MAX_TAG_KEY} characters long; it is ${keyLength}.`);
    }
    if (key.toLowerCase().startsWith('aws:')) throw invalidParameterValue(`${at}.Key: the aws: prefix is reserved for AWS use.`);
    if (value !== null && codePointLength(value) > MAX_TAG_VALUE) {
      throw invalidParameterValue(`${at}.Value must be at most ${MAX_TAG_VALUE} characters long; it is ${codePointLength(value)}.`);
    }
    if (seen.has(key)) throw invalidParameterValue(`${at}.Key: the tag key "${key}" is given more than once; tag keys must be unique.`);
    seen.add(key);
    tags.push({ key, value });
  }
  if (tags.length > MAX_TAGS_PER_RESOURCE) {
    throw modeledFault(
      'TagQuotaPerResourceExceeded',
      `The request would give the resource ${tags.length} tags; the maximum number of tags permitted on a resource is ${MAX_TAGS_PER_RESOURCE}.`,
    );
  }
  return tags;
}
