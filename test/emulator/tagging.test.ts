/** ListTagsForResource, AddTagsToResource and RemoveTagsFromResource on serverless snapshot and cache ARNs. */
import {
  AddTagsToResourceCommand,
  CacheClusterNotFoundFault,
  CacheParameterGroupNotFoundFault,
  CacheSecurityGroupNotFoundFault,
  CacheSubnetGroupNotFoundFault,
  CreateServerlessCacheSnapshotCommand,
  DeleteServerlessCacheSnapshotCommand,
  InvalidARNFault,
  InvalidParameterValueException,
  InvalidReplicationGroupStateFault,
  InvalidServerlessCacheSnapshotStateFault,
  InvalidServerlessCacheStateFault,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  ReplicationGroupNotFoundFault,
  ReservedCacheNodeNotFoundFault,
  ServerlessCacheNotFoundFault,
  ServerlessCacheSnapshotNotFoundFault,
  SnapshotNotFoundFault,
  TagNotFoundFault,
  TagQuotaPerResourceExceeded,
  UserGroupNotFoundFault,
  UserNotFoundFault,
  type Tag,
} from '@aws-sdk/client-elasticache';
import { adminCall, cacheArnOf, expectFault, injectFault, snapshotArnOf, useClockedEmulator } from './helpers';

const env = useClockedEmulator({ snapshotAvailableAfterMs: 1000, snapshotDeleteAfterMs: 1000 });

const list = async (arn: string) => (await env.client.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList;
const add = (arn: string, Tags: Tag[]) => env.client.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags }));
const remove = (arn: string, TagKeys: string[]) => env.client.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys }));
const snapshot = (name: string, Tags?: Tag[]) => env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: 'demo-redis', Tags }));
const many = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));

const ipv = { name: 'InvalidParameterValueException', status: 400, errorClass: InvalidParameterValueException };

describe('ListTagsForResource', () => {
  it("lists a snapshot's tags while it is still creating, in the order they were given, null values without Value", async () => {
    await snapshot('young', [{ Key: 'b', Value: 'x & y' }, { Key: 'a' }, { Key: 'empty', Value: '' }]);
    expect(await list(snapshotArnOf('young'))).toEqual([{ Key: 'b', Value: 'x & y' }, { Key: 'a' }, { Key: 'empty', Value: '' }]);
  });

  it("lists a cache's tags (the seed demo-valkey has two, demo-redis none), by an ARN in any case", async () => {
    expect(await list(cacheArnOf('DEMO-VALKEY'))).toEqual([{ Key: 'team', Value: 'platform' }, { Key: 'env', Value: 'demo' }]);
    expect(await list(cacheArnOf('demo-redis'))).toEqual([]);
  });
});

describe('AddTagsToResource', () => {
  it('adds new keys at the end, overwrites existing ones in place, and answers the full list', async () => {
    await snapshot('s', [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    const out = await add(snapshotArnOf('s'), [{ Key: 'c', Value: '3' }, { Key: 'a', Value: 'one' }, { Key: 'B', Value: 'case matters' }]);
    const expected = [{ Key: 'a', Value: 'one' }, { Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }, { Key: 'B', Value: 'case matters' }];
    expect(out.TagList).toEqual(expected);
    expect(await list(snapshotArnOf('s'))).toEqual(expected);
    expect((await adminCall<{ tags: unknown }>(env.emulator.url, 'GET', '/snapshots/s')).body.tags).toEqual([
      { key: 'a', value: 'one' },
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
      { key: 'B', value: 'case matters' },
    ]);
  });

  it('tags caches too; a null value is stored as null', async () => {
    const out = await add(cacheArnOf('demo-valkey'), [{ Key: 'env' }]);
    expect(out.TagList).toEqual([{ Key: 'team', Value: 'platform' }, { Key: 'env' }]);
    expect((await adminCall<{ tags: unknown }>(env.emulator.url, 'GET', '/caches/demo-valkey')).body.tags).toEqual([
      { key: 'team', value: 'platform' },
      { key: 'env', value: null },
    ]);
  });

  it('counts the 50 after the merge: overwriting at 50 is fine, one new key more is TagQuotaPerResourceExceeded and nothing changes', async () => {
    await snapshot('full', many(48));
    await add(snapshotArnOf('full'), many(2, 'extra'));
    await add(snapshotArnOf('full'), [{ Key: 'k0', Value: 'overwritten' }]);
    const e = await expectFault(add(snapshotArnOf('full'), [{ Key: 'k1', Value: 'x' }, { Key: 'one-too-many' }]), {
      name: 'TagQuotaPerResourceExceeded',
      status: 400,
      errorClass: TagQuotaPerResourceExceeded,
    });
    expect(e.message).toBe('The request would give the resource 51 tags; the maximum number of tags permitted on a resource is 50.');
    const tags = await list(snapshotArnOf('full'));
    expect(tags).toHaveLength(50);
    expect(tags?.[1]).toEqual({ Key: 'k1', Value: 'v1' });
  });

  it.each<[string, Tag[], string]>([
    ['an aws: key in any case', [{ Key: 'ok' }, { Key: 'AWS:owner', Value: 'x' }], 'Tags.Tag.2.Key: the aws: prefix is reserved for AWS use.'],
    ['a key given twice', [{ Key: 'a' }, { Key: 'a' }], 'Tags.Tag.2.Key: the tag key "a" is given more than once; tag keys must be unique.'],
    ['a 129-character key', [{ Key: 'k'.repeat(129) }], 'Tags.Tag.1.Key must be between 1 and 128 characters long; it is 129.'],
    ['a 257-character value', [{ Key: 'k', Value: '😀'.repeat(257) }], 'Tags.Tag.1.Value must be at most 256 characters long; it is 257.'],
    ['no tags', [], 'The parameter Tags must contain at least one tag.'],
  ])('refuses %s with InvalidParameterValue, before the resource is looked up', async (_label, tags, message) => {
    const e = await expectFault(add(snapshotArnOf('ghost'), tags), ipv);
    expect(e.message).toBe(message);
  });

  it('refuses more than 50 tags in the request itself before looking the resource up', async () => {
    await expectFault(add(snapshotArnOf('ghost'), many(51)), { name: 'TagQuotaPerResourceExceeded', status: 400 });
  });
});

describe('RemoveTagsFromResource', () => {
  it('removes the keys (a key given twice once) and answers the tags that remain', async () => {
    await snapshot('s', [{ Key: 'a', Value: '1' }, { Key: 'b' }, { Key: 'c', Value: '3' }]);
    const out = await remove(snapshotArnOf('s'), ['a', 'c', 'a']);
    expect(out.TagList).toEqual([{ Key: 'b' }]);
    expect((await remove(snapshotArnOf('s'), ['b'])).TagList).toEqual([]);
    expect(await list(snapshotArnOf('s'))).toEqual([]);
  });

  it('TagNotFound (404) for a key the resource does not have (keys are case-sensitive); nothing is removed', async () => {
    const e = await expectFault(remove(cacheArnOf('demo-valkey'), ['team', 'Env', 'nope']), { name: 'TagNotFoundFault', status: 404, errorClass: TagNotFoundFault });
    expect(e.message).toBe(`The resource ${cacheArnOf('demo-valkey')} has no tag with the key "Env", "nope".`);
    expect(await list(cacheArnOf('demo-valkey'))).toHaveLength(2);
  });

  it('refuses an aws: key, an empty key and an empty list with InvalidParameterValue', async () => {
    expect((await expectFault(remove(cacheArnOf('demo-valkey'), ['aws:cloudformation:stack-name']), ipv)).message).toMatch(/prefix reserved for AWS use/);
    expect((await expectFault(remove(cacheArnOf('demo-valkey'), ['team', '']), ipv)).message).toBe('TagKeys.member.2 must not be empty.');
    expect((await expectFault(remove(cacheArnOf('demo-valkey'), []), ipv)).message).toBe('The parameter TagKeys must contain at least one tag key.');
  });
});

describe('resource names (all three operations)', () => {
  const operations: [string, (arn: string) => Promise<unknown>][] = [
    ['ListTagsForResource', (arn) => list(arn)],
    ['AddTagsToResource', (arn) => add(arn, [{ Key: 'k' }])],
    ['RemoveTagsFromResource', (arn) => remove(arn, ['k'])],
  ];

  it.each([
    ['not an ARN', 'demo-valkey', /it is not an ARN/],
    ['another partition', 'arn:aws-cn:elasticache:us-east-1:123456789012:serverlesscache:demo-valkey', /its partition is aws-cn/],
    ['another service', 'arn:aws:s3:us-east-1:123456789012:serverlesscache:demo-valkey', /names the service s3/],
    ['another region', cacheArnOf('demo-valkey', 'eu-west-1'), /names the region eu-west-1; this endpoint serves us-east-1/],
    ['another account', 'arn:aws:elasticache:us-east-1:111111111111:serverlesscache:demo-valkey', /names the account 111111111111/],
    ['a type ElastiCache does not tag', 'arn:aws:elasticache:us-east-1:123456789012:globalreplicationgroup:g', /has no taggable resource type globalreplicationgroup/],
    ['an empty name', 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:', /must not be empty/],
  ])('InvalidARN (400) for %s', async (_label, arn, message) => {
    for (const [, call] of operations) {
      const e = await expectFault(call(arn), { name: 'InvalidARNFault', status: 400, errorClass: InvalidARNFault });
      expect(e.message).toMatch(message);
    }
  });

  it('InvalidParameterValue without ResourceName', async () => {
    await expectFault(env.client.send(new ListTagsForResourceCommand({} as { ResourceName: string })), ipv);
  });

  it.each<[string, string, string, number, abstract new (...args: never[]) => Error]>([
    ['serverlesscachesnapshot', 'ghost', 'ServerlessCacheSnapshotNotFoundFault', 404, ServerlessCacheSnapshotNotFoundFault],
    ['serverlesscache', 'ghost', 'ServerlessCacheNotFoundFault', 404, ServerlessCacheNotFoundFault],
    ['cluster', 'c', 'CacheClusterNotFoundFault', 404, CacheClusterNotFoundFault],
    ['parametergroup', 'p', 'CacheParameterGroupNotFoundFault', 404, CacheParameterGroupNotFoundFault],
    ['securitygroup', 's', 'CacheSecurityGroupNotFoundFault', 404, CacheSecurityGroupNotFoundFault],
    ['subnetgroup', 's', 'CacheSubnetGroupNotFoundFault', 400, CacheSubnetGroupNotFoundFault],
    ['replicationgroup', 'r', 'ReplicationGroupNotFoundFault', 404, ReplicationGroupNotFoundFault],
    ['reserved-instance', 'r', 'ReservedCacheNodeNotFoundFault', 404, ReservedCacheNodeNotFoundFault],
    ['snapshot', 's', 'SnapshotNotFoundFault', 404, SnapshotNotFoundFault],
    ['user', 'u', 'UserNotFoundFault', 404, UserNotFoundFault],
    ['usergroup', 'u', 'UserGroupNotFoundFault', 404, UserGroupNotFoundFault],
  ])('a %s ARN naming nothing answers its not-found fault', async (type, name, fault, status, errorClass) => {
    for (const [, call] of operations) await expectFault(call(`arn:aws:elasticache:us-east-1:123456789012:${type}:${name}`), { name: fault, status, errorClass });
  });
});

describe('state', () => {
  it('a deleting snapshot: tags listed, not changed (InvalidServerlessCacheSnapshotStateFault)', async () => {
    await snapshot('leaving', [{ Key: 'k' }]);
    env.clock.advance(1000);
    await env.client.send(new DeleteServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'leaving' }));
    expect(await list(snapshotArnOf('leaving'))).toEqual([{ Key: 'k' }]);
    for (const call of [add(snapshotArnOf('leaving'), [{ Key: 'x' }]), remove(snapshotArnOf('leaving'), ['k'])]) {
      const e = await expectFault(call, { name: 'InvalidServerlessCacheSnapshotStateFault', status: 400, errorClass: InvalidServerlessCacheSnapshotStateFault });
      expect(e.message).toBe('Serverless cache snapshot leaving is being deleted; its tags can no longer be changed.');
    }
  });

  it('a deleting cache: InvalidServerlessCacheStateFault; creating and modifying ones can be tagged', async () => {
    await adminCall(env.emulator.url, 'PUT', '/caches/demo-redis/status', { status: 'deleting' });
    await expectFault(add(cacheArnOf('demo-redis'), [{ Key: 'x' }]), { name: 'InvalidServerlessCacheStateFault', status: 400, errorClass: InvalidServerlessCacheStateFault });
    expect(await list(cacheArnOf('demo-redis'))).toEqual([]);
    expect((await add(cacheArnOf('demo-modifying'), [{ Key: 'x' }])).TagList).toEqual([{ Key: 'x' }]);
  });

  it('InvalidReplicationGroupState, reachable by injection', async () => {
    await injectFault(env.emulator.url, { action: 'AddTagsToResource', code: 'InvalidReplicationGroupState' });
    await expectFault(add(cacheArnOf('demo-redis'), [{ Key: 'x' }]), { name: 'InvalidReplicationGroupStateFault', status: 400, errorClass: InvalidReplicationGroupStateFault });
  });
});
