import { validateCreateServerlessCacheSnapshot as validateCreateSnapshotRequest } from '../../src/operations/create-serverless-cache-snapshot';

const valid = { serverlessCacheSnapshotName: 'nightly', serverlessCacheName: 'demo-valkey' };

describe('validateCreateServerlessCacheSnapshot (the rules of src/aws/rules.ts, as union members)', () => {
  it('accepts a request with no tags, a null tag list or an empty one', () => {
    expect(validateCreateSnapshotRequest(valid)).toBeNull();
    expect(validateCreateSnapshotRequest({ ...valid, tags: null })).toBeNull();
    expect(validateCreateSnapshotRequest({ ...valid, tags: [] })).toBeNull();
  });

  it('counts characters, not UTF-16 units, against the 255-character name limit', () => {
    expect(validateCreateSnapshotRequest({ ...valid, serverlessCacheSnapshotName: '🙂'.repeat(255) })).toBeNull();
    expect(validateCreateSnapshotRequest({ ...valid, serverlessCacheSnapshotName: '🙂'.repeat(256) })).toMatchObject({
      field: ['serverlessCacheSnapshotName'],
      message: expect.stringMatching(/serverlessCacheSnapshotName .*1 and 255 characters.*256/),
    });
  });

  it('reports the first offending tag, by its index in the input', () => {
    const fault = validateCreateSnapshotRequest({ ...valid, tags: [{ key: 'a' }, { key: '' }, { key: 'aws:x' }] });
    expect(fault).toMatchObject({ __typename: 'InvalidParameterValueException', field: ['tags', '1', 'key'] });
  });

  it('treats tag keys as case-sensitive, as AWS does', () => {
    expect(validateCreateSnapshotRequest({ ...valid, tags: [{ key: 'Env' }, { key: 'env' }] })).toBeNull();
  });

  it('names the repeated key and where it repeats', () => {
    const message = validateCreateSnapshotRequest({ ...valid, tags: [{ key: 'env' }, { key: 'x' }, { key: 'env' }] })?.message;
    expect(message).toContain('"env"');
    expect(message).toContain('tags[2].key');
  });

  it('checks the tags themselves before their number, as the emulator and AWS do', () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}` }));
    expect(validateCreateSnapshotRequest({ ...valid, tags })).toMatchObject({ __typename: 'TagQuotaPerResourceExceeded', requestedTagCount: 51 });
    tags[50] = { key: '' };
    expect(validateCreateSnapshotRequest({ ...valid, tags })).toMatchObject({ __typename: 'InvalidParameterValueException', field: ['tags', '50', 'key'] });
  });

  it('reserves the aws: prefix in any case', () => {
    expect(validateCreateSnapshotRequest({ ...valid, tags: [{ key: 'AWS:Owner' }] })).toMatchObject({ field: ['tags', '0', 'key'] });
    expect(validateCreateSnapshotRequest({ ...valid, tags: [{ key: 'awsome:x' }] })).toBeNull();
  });

  it('allows a null tag value and an empty one', () => {
    expect(validateCreateSnapshotRequest({ ...valid, tags: [{ key: 'a', value: null }, { key: 'b', value: '' }] })).toBeNull();
  });
});
