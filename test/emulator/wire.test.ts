/** The exact awsQuery wire shape, checked with raw HTTP rather than through the SDK. */
import { XMLParser } from 'fast-xml-parser';
import { adminCall, errorCode, rawAws, start, useEmulator, UUID } from './helpers';

const env = useEmulator();

const NS = 'http://elasticache.amazonaws.com/doc/2015-02-02/';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, htmlEntities: true, isArray: (name) => ['member', 'ServerlessCacheSnapshot', 'SubnetId', 'SecurityGroupId'].includes(name) });
const V = 'Version=2015-02-02';

function requestIdOf(headers: Headers): string {
  const id = headers.get('x-amzn-requestid');
  expect(id).toMatch(UUID);
  return id ?? '';
}

it('answers CreateServerlessCacheSnapshot with <Op>Response/<Op>Result/ResponseMetadata, text/xml and a matching request id', async () => {
  const reply = await rawAws(
    env.emulator.url,
    `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=Wire&ServerlessCacheName=demo-redis&Tags.Tag.1.Key=a`,
  );
  expect(reply.status).toBe(200);
  expect(reply.headers.get('content-type')).toBe('text/xml');
  const id = requestIdOf(reply.headers);
  const created = /<CreateTime>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)<\/CreateTime>/.exec(reply.text)?.[1];
  expect(created).toBeDefined();
  expect(reply.text).toBe(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<CreateServerlessCacheSnapshotResponse xmlns="${NS}"><CreateServerlessCacheSnapshotResult><ServerlessCacheSnapshot>` +
      '<ServerlessCacheSnapshotName>wire</ServerlessCacheSnapshotName>' +
      '<ARN>arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:wire</ARN>' +
      '<SnapshotType>manual</SnapshotType><Status>creating</Status>' +
      `<CreateTime>${created ?? ''}</CreateTime><BytesUsedForCache>52428800</BytesUsedForCache>` +
      '<ServerlessCacheConfiguration><ServerlessCacheName>demo-redis</ServerlessCacheName><Engine>redis</Engine><MajorEngineVersion>7</MajorEngineVersion></ServerlessCacheConfiguration>' +
      '</ServerlessCacheSnapshot></CreateServerlessCacheSnapshotResult>' +
      `<ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></CreateServerlessCacheSnapshotResponse>`,
  );
});

it('answers errors as ErrorResponse with Type, Code, Message and a sibling RequestId matching the header', async () => {
  const reply = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}&ServerlessCacheName=ghost`);
  expect(reply.status).toBe(404);
  expect(reply.headers.get('content-type')).toBe('text/xml');
  const id = requestIdOf(reply.headers);
  expect(reply.text).toBe(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>ServerlessCacheNotFoundFault</Code>` +
      `<Message>Serverless cache ghost not found.</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
  );
});

it('lists caches as <member> items and their id lists as <SecurityGroupId>/<SubnetId>', async () => {
  const reply = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}`);
  const doc = parser.parse(reply.text) as {
    DescribeServerlessCachesResponse: { DescribeServerlessCachesResult: { ServerlessCaches: { member: { ServerlessCacheName: string; SubnetIds: { SubnetId: string[] }; SecurityGroupIds: { SecurityGroupId: string[] } }[] } } };
  };
  const members = doc.DescribeServerlessCachesResponse.DescribeServerlessCachesResult.ServerlessCaches.member;
  expect(members.map((m) => m.ServerlessCacheName)).toEqual(['demo-memcached', 'demo-modifying', 'demo-redis', 'demo-valkey']);
  expect(members[0]?.SubnetIds.SubnetId).toHaveLength(3);
  expect(members[0]?.SecurityGroupIds.SecurityGroupId).toHaveLength(1);
  expect(reply.text).not.toContain('<ServerlessCache>');
});

it('lists snapshots as <ServerlessCacheSnapshot> items and writes an empty list as an empty element', async () => {
  const empty = await rawAws(env.emulator.url, `Action=DescribeServerlessCacheSnapshots&${V}`);
  expect(empty.text).toContain('<DescribeServerlessCacheSnapshotsResult><ServerlessCacheSnapshots></ServerlessCacheSnapshots></DescribeServerlessCacheSnapshotsResult>');
  await rawAws(env.emulator.url, `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=one&ServerlessCacheName=demo-valkey`);
  const one = await rawAws(env.emulator.url, `Action=DescribeServerlessCacheSnapshots&${V}`);
  expect(one.text).toMatch(/<ServerlessCacheSnapshots><ServerlessCacheSnapshot><ServerlessCacheSnapshotName>one</);
  expect(one.text).not.toContain('<NextToken>');
});

it('escapes user values in the XML', async () => {
  const name = `a&b<c>"d'e ü`;
  const reply = await rawAws(env.emulator.url, `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=${encodeURIComponent(name)}&ServerlessCacheName=demo-valkey`);
  expect(reply.text).toContain('<ServerlessCacheSnapshotName>a&amp;b&lt;c&gt;&quot;d&apos;e ü</ServerlessCacheSnapshotName>');
  const missing = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}&ServerlessCacheName=${encodeURIComponent('<x>&')}`);
  expect(missing.text).toContain('<Message>Serverless cache &lt;x&gt;&amp; not found.</Message>');
});

it('reads `Tags=` as an empty list', async () => {
  const reply = await rawAws(env.emulator.url, `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=empty-tags&ServerlessCacheName=demo-valkey&Tags=`);
  expect(reply.status).toBe(200);
  expect((await adminCall<{ tags: unknown[] }>(env.emulator.url, 'GET', '/snapshots/empty-tags')).body.tags).toEqual([]);
});

it('reads sparse, out-of-order tag indices in index order', async () => {
  const body = `Tags.Tag.7.Key=seven&Action=CreateServerlessCacheSnapshot&Tags.Tag.2.Value=two-v&ServerlessCacheName=demo-valkey&Tags.Tag.2.Key=two&${V}&ServerlessCacheSnapshotName=sparse`;
  expect((await rawAws(env.emulator.url, body)).status).toBe(200);
  expect((await adminCall<{ tags: unknown[] }>(env.emulator.url, 'GET', '/snapshots/sparse')).body.tags).toEqual([
    { key: 'two', value: 'two-v' },
    { key: 'seven', value: null },
  ]);
});

it('decodes + as a space, as botocore may send it', async () => {
  const reply = await rawAws(env.emulator.url, `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=with+space&ServerlessCacheName=demo-valkey&Tags.Tag.1.Key=k&Tags.Tag.1.Value=a+b%2Bc`);
  expect(reply.text).toContain('<ServerlessCacheSnapshotName>with space</ServerlessCacheSnapshotName>');
  expect((await adminCall<{ tags: unknown[] }>(env.emulator.url, 'GET', '/snapshots/with%20space')).body.tags).toEqual([{ key: 'k', value: 'a b+c' }]);
});

it('accepts a form content type with a charset parameter', async () => {
  const reply = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}`, { contentType: 'application/x-www-form-urlencoded; charset=utf-8' });
  expect(reply.status).toBe(200);
});

it('accepts GET with the parameters in the query string', async () => {
  const reply = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}&ServerlessCacheName=demo-redis`, { method: 'GET' });
  expect(reply.status).toBe(200);
  expect(reply.text).toContain('<ServerlessCacheName>demo-redis</ServerlessCacheName>');
});

it('answers an unknown Action with InvalidAction 400, and an unemulated real one with a message saying so', async () => {
  const unknown = await rawAws(env.emulator.url, `Action=LaunchRockets&${V}`);
  expect([unknown.status, errorCode(unknown.text)]).toEqual([400, 'InvalidAction']);
  expect(unknown.text).toContain('The action LaunchRockets is not valid for this web service.');
  const unemulated = await rawAws(env.emulator.url, `Action=CreateReplicationGroup&${V}&ReplicationGroupId=x`);
  expect([unemulated.status, errorCode(unemulated.text)]).toEqual([400, 'InvalidAction']);
  expect(unemulated.text).toContain('not implemented by the ElastiCache emulator');
});

it('answers the tagging operations in <Op>Result with <TagList><Tag> items, a null value without <Value>, an empty list as an empty element', async () => {
  const arn = encodeURIComponent('arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:tagged');
  await rawAws(env.emulator.url, `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=tagged&ServerlessCacheName=demo-redis&Tags.Tag.1.Key=a&Tags.Tag.1.Value=x%26y&Tags.Tag.2.Key=b`);
  const listed = await rawAws(env.emulator.url, `Action=ListTagsForResource&${V}&ResourceName=${arn}`);
  expect(listed.text).toBe(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<ListTagsForResourceResponse xmlns="${NS}"><ListTagsForResourceResult><TagList>` +
      '<Tag><Key>a</Key><Value>x&amp;y</Value></Tag><Tag><Key>b</Key></Tag>' +
      `</TagList></ListTagsForResourceResult><ResponseMetadata><RequestId>${requestIdOf(listed.headers)}</RequestId></ResponseMetadata></ListTagsForResourceResponse>`,
  );
  const added = await rawAws(env.emulator.url, `Action=AddTagsToResource&${V}&ResourceName=${arn}&Tags.Tag.1.Key=c&Tags.Tag.1.Value=`);
  expect(added.text).toContain('<AddTagsToResourceResult><TagList><Tag><Key>a</Key><Value>x&amp;y</Value></Tag><Tag><Key>b</Key></Tag><Tag><Key>c</Key><Value></Value></Tag></TagList></AddTagsToResourceResult>');
  const removed = await rawAws(env.emulator.url, `Action=RemoveTagsFromResource&${V}&ResourceName=${arn}&TagKeys.member.1=a&TagKeys.member.2=b&TagKeys.member.3=c`);
  expect(removed.text).toContain('<RemoveTagsFromResourceResult><TagList></TagList></RemoveTagsFromResourceResult>');
});

it('answers Copy, Export and Delete with a <ServerlessCacheSnapshot> in their own Result, and CreateServerlessCache with a <ServerlessCache>', async () => {
  const quick = await start({ snapshotAvailableAfterMs: 0 });
  try {
    await rawAws(quick.url, `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=s&ServerlessCacheName=demo-redis`);
    const snapshotResult = (action: string, name: string, status: string) =>
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<${action}Response xmlns="${NS}"><${action}Result><ServerlessCacheSnapshot>` +
          `<ServerlessCacheSnapshotName>${name}</ServerlessCacheSnapshotName><ARN>[^<]+</ARN><SnapshotType>manual</SnapshotType><Status>${status}</Status>` +
          `<CreateTime>[^<]+</CreateTime><BytesUsedForCache>52428800</BytesUsedForCache><ServerlessCacheConfiguration>.*</ServerlessCacheConfiguration>` +
          `</ServerlessCacheSnapshot></${action}Result><ResponseMetadata><RequestId>[^<]+</RequestId></ResponseMetadata></${action}Response>$`,
      );
    const copied = await rawAws(quick.url, `Action=CopyServerlessCacheSnapshot&${V}&SourceServerlessCacheSnapshotName=s&TargetServerlessCacheSnapshotName=t`);
    expect(copied.text).toMatch(snapshotResult('CopyServerlessCacheSnapshot', 't', 'available'));
    const exported = await rawAws(quick.url, `Action=ExportServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=t&S3BucketName=demo-exports`);
    expect(exported.text).toMatch(snapshotResult('ExportServerlessCacheSnapshot', 't', 'exporting'));
    const deleted = await rawAws(quick.url, `Action=DeleteServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=s`);
    expect(deleted.text).toMatch(snapshotResult('DeleteServerlessCacheSnapshot', 's', 'deleting'));
    const cache = await rawAws(quick.url, `Action=CreateServerlessCache&${V}&ServerlessCacheName=c&Engine=redis&SubnetIds=&Tags=`);
    expect(cache.text).toMatch(
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<CreateServerlessCacheResponse xmlns="${NS}"><CreateServerlessCacheResult><ServerlessCache>` +
          '<ServerlessCacheName>c</ServerlessCacheName><Description></Description>.*<Status>creating</Status>.*<SubnetIds><SubnetId>subnet-.*</ServerlessCache></CreateServerlessCacheResult>',
      ),
    );
  } finally {
    await quick.close();
  }
});
