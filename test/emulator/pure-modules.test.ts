/** Unit tests for the small pure modules: paging tokens, parameter validation, XML encoding, faults. */
import { XMLParser } from 'fast-xml-parser';
import { AwsError, findModeledFault, modeledFault, operationFaults } from '../../src/emulator/faults';
import { FormParams } from '../../src/emulator/form';
import { compareKeys, decodeNextToken, encodeNextToken, paginate } from '../../src/emulator/paging';
import { codePointLength, optionalInteger, readTags, requiredString } from '../../src/emulator/validation';
import { errorDocument, isXmlSafe, successDocument } from '../../src/emulator/xml';

describe('paging', () => {
  it('round-trips an opaque token bound to its listing', () => {
    const token = encodeNextToken('snapshots', [123, 'name']);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeNextToken('snapshots', token, ['number', 'string'])).toEqual([123, 'name']);
    expect(decodeNextToken('caches', token, ['number', 'string'])).toBeUndefined();
    expect(decodeNextToken('snapshots', token, ['string'])).toBeUndefined();
  });

  it.each(['', '!!!', 'abc', Buffer.from('[1,"x"]').toString('base64url'), Buffer.from('{"v":1,"l":"snapshots","a":["1","x"]}').toString('base64url')])(
    'rejects the malformed token %j',
    (token) => {
      expect(decodeNextToken('snapshots', token, ['number', 'string'])).toBeUndefined();
    },
  );

  it('continues strictly after the last key, unaffected by items added before or after it', () => {
    const items = [1, 2, 3, 4, 5].map((n) => ({ k: n }));
    const first = paginate(items, (i) => [i.k], undefined, 2);
    expect(first.page.map((i) => i.k)).toEqual([1, 2]);
    expect(first.nextKey).toEqual([2]);
    const grown = [{ k: 0 }, ...items, { k: 6 }];
    const second = paginate(grown, (i) => [i.k], first.nextKey, 2);
    expect(second.page.map((i) => i.k)).toEqual([3, 4]);
    const last = paginate(grown, (i) => [i.k], [4], 10);
    expect(last).toEqual({ page: [{ k: 5 }, { k: 6 }], nextKey: undefined });
    expect(paginate(grown, (i) => [i.k], [99], 10)).toEqual({ page: [], nextKey: undefined });
  });

  it('gives no next key when a page ends exactly at the last item', () => {
    expect(paginate([{ k: 1 }, { k: 2 }], (i) => [i.k], undefined, 2).nextKey).toBeUndefined();
  });

  it('compares composite keys part by part', () => {
    expect(compareKeys([1, 'b'], [1, 'a'])).toBeGreaterThan(0);
    expect(compareKeys([1, 'z'], [2, 'a'])).toBeLessThan(0);
    expect(compareKeys([10, 'a'], [9, 'a'])).toBeGreaterThan(0);
  });
});

describe('validation', () => {
  const tags = (encoded: string) => readTags(FormParams.decode(encoded));
  const failure = (fn: () => unknown): AwsError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof AwsError) return e;
      throw e;
    }
    throw new Error('expected an AwsError');
  };

  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('😀')).toBe(1);
    expect('😀'.length).toBe(2);
  });

  it('reads tags in index order with null values', () => {
    expect(tags('Tags.Tag.2.Key=b&Tags.Tag.1.Key=a&Tags.Tag.1.Value=')).toEqual([
      { key: 'a', value: '' },
      { key: 'b', value: null },
    ]);
    expect(tags('')).toEqual([]);
    expect(tags('Tags=')).toEqual([]);
  });

  it('accepts boundary lengths counted in code points', () => {
    const key = encodeURIComponent('😀'.repeat(128));
    const value = encodeURIComponent('é'.repeat(256));
    expect(tags(`Tags.Tag.1.Key=${key}&Tags.Tag.1.Value=${value}`)).toHaveLength(1);
  });

  it.each([
    ['a tag without Key', 'Tags.Tag.1.Value=v', /Tags\.Tag\.1\.Key must be provided/],
    ['an empty key', 'Tags.Tag.1.Key=', /between 1 and 128/],
    ['a 129-character key', `Tags.Tag.1.Key=${'k'.repeat(129)}`, /between 1 and 128 characters long; it is 129/],
    ['a 257-code-point value', `Tags.Tag.1.Key=k&Tags.Tag.1.Value=${encodeURIComponent('😀'.repeat(257))}`, /at most 256 characters long; it is 257/],
    ['an aws: key', 'Tags.Tag.1.Key=aws:x', /aws: prefix is reserved/],
    ['an AWS: key', 'Tags.Tag.1.Key=AWS:x', /aws: prefix is reserved/],
    ['a duplicate key', 'Tags.Tag.1.Key=a&Tags.Tag.2.Key=a', /Tags\.Tag\.2\.Key: the tag key "a" is given more than once/],
    ['an unknown tag field', 'Tags.Tag.1.Key=a&Tags.Tag.1.Colour=red', /Unexpected parameter Tags\.Tag\.1\.Colour/],
    ['a scalar tag', 'Tags.Tag.1=a', /Unexpected parameter Tags\.Tag\.1:/],
    ['the wrong item name', 'Tags.member.1.Key=a', /Tags\.Tag\.N/],
  ])('rejects %s as InvalidParameterValue', (_label, encoded, message) => {
    const e = failure(() => tags(encoded));
    expect(e.code).toBe('InvalidParameterValue');
    expect(e.httpStatus).toBe(400);
    expect(e.message).toMatch(message);
  });

  it('keys differing only in case are distinct (AWS tag keys are case-sensitive)', () => {
    expect(tags('Tags.Tag.1.Key=a&Tags.Tag.2.Key=A')).toHaveLength(2);
  });

  it('allows 50 tags and reports 51 as TagQuotaPerResourceExceeded', () => {
    const encoded = (n: number) => Array.from({ length: n }, (_, i) => `Tags.Tag.${i + 1}.Key=k${i}`).join('&');
    expect(tags(encoded(50))).toHaveLength(50);
    const e = failure(() => tags(encoded(51)));
    expect([e.code, e.httpStatus]).toEqual(['TagQuotaPerResourceExceeded', 400]);
  });

  it('reports a malformed tag before the tag count', () => {
    const encoded = Array.from({ length: 51 }, (_, i) => `Tags.Tag.${i + 1}.Key=${i === 50 ? 'aws:x' : `k${i}`}`).join('&');
    expect(failure(() => tags(encoded)).code).toBe('InvalidParameterValue');
  });

  it('checks required strings and integers', () => {
    expect(failure(() => requiredString(FormParams.decode(''), 'Name')).message).toBe('The parameter Name must be provided.');
    expect(failure(() => requiredString(FormParams.decode('Name='), 'Name')).message).toBe('The parameter Name must not be empty.');
    const int = (v: string) => optionalInteger(FormParams.decode(`N=${v}`), 'N', 1, 50);
    expect(int('07')).toBe(7);
    expect(failure(() => int('1.5')).message).toMatch(/must be an integer/);
    expect(failure(() => int('abc')).message).toMatch(/must be an integer/);
    expect(failure(() => int('51')).message).toMatch(/between 1 and 50; it is 51/);
    expect(failure(() => int('0')).message).toMatch(/between 1 and 50/);
  });
});

describe('faults', () => {
  it('resolves modeled faults by shape name and by wire code, from the model extract', () => {
    expect(findModeledFault('InvalidParameterValueException')).toMatchObject({ code: 'InvalidParameterValue', httpStatus: 400, type: 'Sender' });
    expect(findModeledFault('InvalidParameterValue')?.shape).toBe('InvalidParameterValueException');
    expect(findModeledFault('ServerlessCacheNotFoundFault')).toMatchObject({ code: 'ServerlessCacheNotFoundFault', httpStatus: 404 });
    expect(findModeledFault('Throttling')).toBeUndefined();
    const e = modeledFault('ServerlessCacheSnapshotNotFoundFault', 'gone');
    expect([e.code, e.httpStatus, e.type, e.message]).toEqual(['ServerlessCacheSnapshotNotFoundFault', 404, 'Sender', 'gone']);
    expect(operationFaults('DescribeServerlessCaches')).toContain('ServerlessCacheNotFoundFault');
  });
});

describe('XML encoder', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, processEntities: true, htmlEntities: true });

  it('wraps results as <Op>Response/<Op>Result with ResponseMetadata', () => {
    const xml = successDocument('DescribeThings', { Things: { Thing: ['a', 'b'] }, Empty: '', Absent: undefined }, 'req-1');
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<DescribeThingsResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/"><DescribeThingsResult>' +
        '<Things><Thing>a</Thing><Thing>b</Thing></Things><Empty></Empty></DescribeThingsResult>' +
        '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeThingsResponse>',
    );
  });

  it('escapes markup characters, keeps non-ASCII, and encodes CR so it survives parsing', () => {
    const value = `a&b<c>d"e'f ü 😀 &amp; ]]> x\r\ny`;
    const xml = successDocument('Op', { V: value }, 'r');
    expect(xml).toContain('a&amp;b&lt;c&gt;d&quot;e&apos;f ü 😀 &amp;amp; ]]&gt; x&#xD;\ny');
    const parsed = parser.parse(xml) as { OpResponse: { OpResult: { V: string } } };
    expect(parsed.OpResponse.OpResult.V).toBe(value);
  });

  it('replaces characters XML cannot carry instead of emitting a broken document', () => {
    expect(isXmlSafe('ok\t\n\r')).toBe(true);
    expect(isXmlSafe('\u0001')).toBe(false);
    expect(isXmlSafe('\uFFFE')).toBe(false);
    expect(isXmlSafe('\uD800')).toBe(false);
    expect(successDocument('Op', { V: 'a\u0000b' }, 'r')).toContain('<V>a\uFFFDb</V>');
  });

  it('writes ErrorResponse with RequestId beside Error', () => {
    const xml = errorDocument(new AwsError('Code<', 404, 'Cache "x" not found.', 'Sender'), 'r-2');
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<ErrorResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/"><Error><Type>Sender</Type>' +
        '<Code>Code&lt;</Code><Message>Cache &quot;x&quot; not found.</Message></Error><RequestId>r-2</RequestId></ErrorResponse>',
    );
  });
});
