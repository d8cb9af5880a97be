import { decodeJson, encodeJson } from '../../src/redis/json';

describe('the JSON that crosses Redis', () => {
  it('gives back an answer as it was, dates as dates', () => {
    const answer = {
      awsRequestId: 'req-1',
      reconciled: false,
      result: {
        __typename: 'CreateServerlessCacheSnapshotSuccess',
        serverlessCacheSnapshot: {
          ServerlessCacheSnapshotName: 'nightly',
          Status: 'creating',
          CreateTime: new Date('2026-11-30T01:02:03.456Z'),
          BytesUsedForCache: '52428800',
          ServerlessCacheConfiguration: { ServerlessCacheName: 'demo-valkey', Engine: 'valkey', MajorEngineVersion: '8' },
        },
        tags: [{ key: 'team', value: null }],
      },
    };
    const back = decodeJson<typeof answer>(encodeJson(answer));
    expect(back).toEqual(answer);
    expect(back.result.serverlessCacheSnapshot.CreateTime).toBeInstanceOf(Date);
  });

  it('leaves objects that merely look alike, and top-level dates, as they should be', () => {
    expect(decodeJson(encodeJson({ $date: 'x', other: 1 }))).toEqual({ $date: 'x', other: 1 });
    expect(decodeJson(encodeJson(new Date(0)))).toEqual(new Date(0));
  });
});
