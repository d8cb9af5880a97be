/** src/aws/rules.ts: the input rules the gateway and the emulator share (pure; no HTTP). */
import {
  checkAddTags,
  checkCopySnapshot,
  checkCreateCache,
  checkCreateSnapshot,
  checkKmsKeyId,
  checkName,
  checkTags,
  codePointLength,
  defaultLabel,
  isReservedTagKey,
  type TagInput,
} from '../../src/aws/rules';

const tags = (n: number, prefix = 'k'): TagInput[] => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: null }));

describe('violations', () => {
  it('name the field by a neutral path (camelCase members, 0-based positions) and say what is wrong', () => {
    expect(checkCreateSnapshot({ serverlessCacheSnapshotName: 'x'.repeat(256), serverlessCacheName: 'c' })).toEqual({
      kind: 'invalid-value',
      field: ['serverlessCacheSnapshotName'],
      message: 'serverlessCacheSnapshotName must be between 1 and 255 characters long; it is 256.',
    });
    expect(checkCreateSnapshot({ serverlessCacheSnapshotName: 's', serverlessCacheName: 'c', tags: [{ key: 'a' }, { key: 'b', value: 'v'.repeat(257) }] })).toEqual({
      kind: 'invalid-value',
      field: ['tags', '1', 'value'],
      message: 'tags[1].value must be at most 256 characters long; it is 257.',
    });
  });

  it('are null for a valid request', () => {
    expect(checkCreateSnapshot({ serverlessCacheSnapshotName: 's', serverlessCacheName: 'c', kmsKeyId: null, tags: null })).toBeNull();
    expect(checkCopySnapshot({ sourceServerlessCacheSnapshotName: 's', targetServerlessCacheSnapshotName: 't', tags: tags(50) })).toBeNull();
    expect(checkCreateCache({ serverlessCacheName: 'c', description: 'd'.repeat(255), snapshotRetentionLimit: 35, kmsKeyId: 'k'.repeat(2048) })).toBeNull();
  });

  it('use the label the caller gives', () => {
    const label = (field: readonly string[]) => `<${field.join('/')}>`;
    expect(checkTags([{ key: 'aws:x' }], { label })?.message).toBe('<tags/0/key>: the aws: prefix is reserved for AWS use.');
    expect(defaultLabel(['tags', '3', 'key'])).toBe('tags[3].key');
  });
});

describe('order of checks', () => {
  it('members in input order, per tag key before value, the count last', () => {
    expect(checkCreateSnapshot({ serverlessCacheSnapshotName: '', serverlessCacheName: '', kmsKeyId: '' })?.field).toEqual(['serverlessCacheSnapshotName']);
    expect(checkCreateSnapshot({ serverlessCacheSnapshotName: 's', serverlessCacheName: '', kmsKeyId: '' })?.field).toEqual(['serverlessCacheName']);
    expect(checkCreateSnapshot({ serverlessCacheSnapshotName: 's', serverlessCacheName: 'c', kmsKeyId: '', tags: [{ key: '' }] })?.field).toEqual(['kmsKeyId']);
    const fiftyOneWithABadOne = [...tags(50), { key: 'aws:late' }];
    expect(checkTags(fiftyOneWithABadOne)).toMatchObject({ kind: 'invalid-value', field: ['tags', '50', 'key'] });
    expect(checkTags([{ key: 'a', value: 'v'.repeat(300) }, { key: '' }])?.field).toEqual(['tags', '0', 'value']);
    expect(checkCopySnapshot({ sourceServerlessCacheSnapshotName: '', targetServerlessCacheSnapshotName: '' })?.field).toEqual(['sourceServerlessCacheSnapshotName']);
    expect(checkCreateCache({ serverlessCacheName: 'c', description: 'd'.repeat(256), snapshotRetentionLimit: 99 })?.field).toEqual(['description']);
  });

  it('per tag: key present, key length, reserved prefix, unique, value length', () => {
    expect(checkTags([{ key: undefined, value: 'v' }])?.message).toBe('tags[0].key must be provided: a tag key may not be null.');
    expect(checkTags([{ key: '' }])?.message).toMatch(/between 1 and 128 characters long; it is 0/);
    expect(checkTags([{ key: `aws:${'k'.repeat(200)}` }])?.message).toMatch(/between 1 and 128/);
    expect(checkTags([{ key: 'a' }, { key: 'a', value: 'v'.repeat(300) }])?.message).toMatch(/given more than once/);
  });
});

describe('single rules', () => {
  it('count code points, not UTF-16 units, and measure names lower-cased as AWS stores them', () => {
    expect(codePointLength('😀')).toBe(1);
    expect(checkName(['n'], '😀'.repeat(255))).toBeNull();
    expect(checkName(['n'], '😀'.repeat(256))?.message).toMatch(/it is 256/);
    // 'İ' lower-cases to two code points.
    expect(checkName(['n'], 'İ'.repeat(128))?.message).toMatch(/it is 256/);
  });

  it('reserve aws: in any case, and only as a prefix', () => {
    expect(isReservedTagKey('AwS:x')).toBe(true);
    expect(isReservedTagKey('my-aws:x')).toBe(false);
    expect(checkTags([{ key: 'Aws:x' }])?.kind).toBe('invalid-value');
  });

  it('treat tag keys as case-sensitive and allow any characters', () => {
    expect(checkTags([{ key: 'Env' }, { key: 'env' }, { key: 'ünï <&> 😀', value: '' }])).toBeNull();
  });

  it('KmsKeyId: absent is fine, empty or over 2048 is not', () => {
    expect(checkKmsKeyId(['kmsKeyId'], undefined)).toBeNull();
    expect(checkKmsKeyId(['kmsKeyId'], '')?.message).toMatch(/must not be empty/);
    expect(checkKmsKeyId(['kmsKeyId'], 'k'.repeat(2049))?.message).toMatch(/at most 2048 characters long; it is 2049/);
  });

  it('SnapshotRetentionLimit: a whole number 0–35', () => {
    for (const ok of [0, 35]) expect(checkCreateCache({ serverlessCacheName: 'c', snapshotRetentionLimit: ok })).toBeNull();
    for (const bad of [-1, 36, 1.5]) expect(checkCreateCache({ serverlessCacheName: 'c', snapshotRetentionLimit: bad })?.field).toEqual(['snapshotRetentionLimit']);
  });
});

describe('the tag quota', () => {
  it('is 50 per resource, reported with the count', () => {
    expect(checkTags(tags(50))).toBeNull();
    expect(checkTags(tags(51))).toEqual({
      kind: 'tag-quota',
      field: ['tags'],
      tagCount: 51,
      message: 'The request would give the resource 51 tags; the maximum number of tags permitted on a resource is 50.',
    });
  });

  it('for AddTags, counts after merging with the existing tags: overwritten keys once, aws: keys not at all', () => {
    const existing = [...tags(48), { key: 'aws:cloudformation:stack-name', value: 'x' }, { key: 'aws:owner', value: 'y' }];
    expect(checkAddTags({ tags: [{ key: 'k0' }, { key: 'new1' }, { key: 'new2' }], existingTags: existing })).toBeNull();
    expect(checkAddTags({ tags: [{ key: 'new1' }, { key: 'new2' }, { key: 'new3' }], existingTags: existing })).toMatchObject({ kind: 'tag-quota', tagCount: 51 });
    // Without the existing tags only the request's own count is known.
    expect(checkAddTags({ tags: tags(50) })).toBeNull();
    expect(checkAddTags({ tags: tags(51) })?.kind).toBe('tag-quota');
  });
});
