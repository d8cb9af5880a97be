import { FormError, FormParams } from '../../src/emulator/form';

describe('FormParams.decode', () => {
  it('decodes percent-encoding and form-style + as space', () => {
    const p = FormParams.decode('A=dev%20team&B=a+b&C=a%2Bb&D=%C3%BC%26%3D&E=');
    expect(p.get('A')).toBe('dev team');
    expect(p.get('B')).toBe('a b');
    expect(p.get('C')).toBe('a+b');
    expect(p.get('D')).toBe('ü&=');
    expect(p.get('E')).toBe('');
    expect(p.get('F')).toBeUndefined();
  });

  it('merges several sources (query string and body)', () => {
    const p = FormParams.decode('Action=X', 'Version=1');
    expect(p.get('Action')).toBe('X');
    expect(p.get('Version')).toBe('1');
  });

  it('rejects a parameter given twice, within or across sources', () => {
    expect(() => FormParams.decode('A=1&A=2')).toThrow(new FormError('Parameter A appears more than once.'));
    expect(() => FormParams.decode('A=1', 'A=1')).toThrow(FormError);
  });
});

describe('FormParams.list', () => {
  const list = (encoded: string) => FormParams.decode(encoded).list('Tags', 'Tag');
  const asPairs = (encoded: string) => list(encoded)?.map((i) => [i.index, Object.fromEntries(i.fields)]);

  it('is undefined when the list is absent', () => {
    expect(list('Other=1')).toBeUndefined();
  });

  it('reads `Tags=` as an empty list', () => {
    expect(list('Tags=')).toEqual([]);
  });

  it('orders items by wire index, whatever the parameter order, and allows gaps', () => {
    expect(asPairs('Tags.Tag.3.Key=c&Tags.Tag.1.Value=v1&Tags.Tag.10.Key=d&Tags.Tag.1.Key=a')).toEqual([
      [1, { Key: 'a', Value: 'v1' }],
      [3, { Key: 'c' }],
      [10, { Key: 'd' }],
    ]);
  });

  it('reads scalar lists under the empty field name', () => {
    expect(FormParams.decode('Ids.Id.2=b&Ids.Id.1=a').list('Ids', 'Id')?.map((i) => i.fields.get(''))).toEqual(['a', 'b']);
  });

  it('does not confuse a list with a parameter sharing its prefix', () => {
    expect(list('TagsOther=1')).toBeUndefined();
  });

  it.each([
    ['Tags=x', /must be empty/],
    ['Tags.member.1.Key=a', /Unexpected parameter Tags\.member\.1\.Key: items of Tags are named Tags\.Tag\.N/],
    ['Tags.Tag.0.Key=a', /Tags\.Tag\.0\.Key.*starting at 1/],
    ['Tags.Tag.01.Key=a', /starting at 1/],
    ['Tags.Tag.x.Key=a', /starting at 1/],
    ['Tags.Tag.-1.Key=a', /starting at 1/],
    ['Tags.Tag.1.=a', /empty field name/],
    ['Tags.Tag.9999999999.Key=a', /starting at 1/],
  ])('rejects %s', (encoded, message) => {
    expect(() => list(encoded)).toThrow(message);
  });
});
