/** ExportServerlessCacheSnapshot through the real SDK, and the admin API's emulated S3 buckets. */
import {
  CreateServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  ExportServerlessCacheSnapshotCommand,
  InvalidParameterValueException,
  InvalidServerlessCacheSnapshotStateFault,
  ServerlessCacheSnapshotNotFoundFault,
  ServiceLinkedRoleNotFoundFault,
  type ExportServerlessCacheSnapshotCommandInput,
} from '@aws-sdk/client-elasticache';
import { adminCall, expectFault, injectFault, sdkClient, start, useClockedEmulator } from './helpers';

const env = useClockedEmulator({ snapshotAvailableAfterMs: 1000, snapshotExportAfterMs: 2000, snapshotDeleteAfterMs: 500 });

const exportTo = (input: Partial<ExportServerlessCacheSnapshotCommandInput>) =>
  env.client.send(new ExportServerlessCacheSnapshotCommand(input as ExportServerlessCacheSnapshotCommandInput));
const status = async (name: string) =>
  (await env.client.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: name }))).ServerlessCacheSnapshots?.[0]?.Status;

interface BucketView {
  name: string;
  region: string;
  objects: { key: string; snapshotName: string; exportedAt: string }[];
}

async function availableSnapshot(name: string, cache = 'demo-valkey'): Promise<void> {
  await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: cache }));
  env.clock.advance(1000);
}

const ipv = { name: 'InvalidParameterValueException', status: 400, errorClass: InvalidParameterValueException };

describe('success', () => {
  it('answers the snapshot exporting; after the delay it is available again and its data is in the bucket', async () => {
    await availableSnapshot('Nightly');
    const started = env.clock.now;
    const out = await exportTo({ ServerlessCacheSnapshotName: 'NIGHTLY', S3BucketName: 'demo-exports' });
    expect(out.ServerlessCacheSnapshot).toMatchObject({ ServerlessCacheSnapshotName: 'nightly', Status: 'exporting' });
    expect((await adminCall<{ exportBucket: string }>(env.emulator.url, 'GET', '/snapshots/nightly')).body).toMatchObject({
      status: 'exporting',
      exportBucket: 'demo-exports',
      statusUntil: new Date(started + 2000).toISOString(),
    });
    env.clock.advance(1999);
    expect(await status('nightly')).toBe('exporting');
    expect((await adminCall<BucketView>(env.emulator.url, 'GET', '/buckets/demo-exports')).body.objects).toEqual([]);
    env.clock.advance(1);
    expect(await status('nightly')).toBe('available');
    expect((await adminCall<BucketView>(env.emulator.url, 'GET', '/buckets/demo-exports')).body).toEqual({
      name: 'demo-exports',
      region: 'us-east-1',
      objects: [{ key: 'nightly.rdb', snapshotName: 'nightly', exportedAt: new Date(started + 2000).toISOString() }],
    });
  });

  it('exports Redis OSS snapshots, to a bucket added through the admin API; exporting again replaces the object', async () => {
    expect((await adminCall(env.emulator.url, 'PUT', '/buckets/team-backups')).status).toBe(201);
    await availableSnapshot('r', 'demo-redis');
    await exportTo({ ServerlessCacheSnapshotName: 'r', S3BucketName: 'team-backups' });
    env.clock.advance(2000);
    await exportTo({ ServerlessCacheSnapshotName: 'r', S3BucketName: 'team-backups' });
    env.clock.advance(2000);
    const bucket = (await adminCall<BucketView>(env.emulator.url, 'GET', '/buckets/team-backups')).body;
    expect(bucket.objects.map((o) => o.key)).toEqual(['r.rdb']);
    expect(bucket.objects[0]?.exportedAt).toBe(new Date(env.clock.now).toISOString());
  });

  it('with no delay configured, the answer already shows the export done', async () => {
    const quick = await start({ snapshotAvailableAfterMs: 0, snapshotExportAfterMs: 0 });
    const client = sdkClient(quick.url);
    try {
      await client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'now', ServerlessCacheName: 'demo-valkey' }));
      const out = await client.send(new ExportServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'now', S3BucketName: 'demo-exports' }));
      expect(out.ServerlessCacheSnapshot?.Status).toBe('available');
      expect((await adminCall<BucketView>(quick.url, 'GET', '/buckets/demo-exports')).body.objects.map((o) => o.key)).toEqual(['now.rdb']);
    } finally {
      client.destroy();
      await quick.close();
    }
  });

  it('a snapshot whose bucket was removed during the export still becomes available', async () => {
    await adminCall(env.emulator.url, 'PUT', '/buckets/short-lived');
    await availableSnapshot('s');
    await exportTo({ ServerlessCacheSnapshotName: 's', S3BucketName: 'short-lived' });
    expect((await adminCall(env.emulator.url, 'DELETE', '/buckets/short-lived')).status).toBe(200);
    env.clock.advance(2000);
    expect(await status('s')).toBe('available');
  });
});

describe('faults, in check order', () => {
  it.each([
    ['no snapshot name', { S3BucketName: 'demo-exports' }, 'The parameter ServerlessCacheSnapshotName must be provided.'],
    ['no bucket', { ServerlessCacheSnapshotName: 's' }, 'The parameter S3BucketName must be provided.'],
    ['a bucket name S3 refuses', { ServerlessCacheSnapshotName: 's', S3BucketName: 'Demo_Exports' }, /S3BucketName is not a valid S3 bucket name: it may contain only lower-case/],
    ['a too-short bucket name', { ServerlessCacheSnapshotName: 's', S3BucketName: 'ab' }, /must be 3 to 63 characters long; it is 2/],
  ])('InvalidParameterValue for %s, before the snapshot is looked up', async (_label, input, message) => {
    const e = await expectFault(exportTo(input), ipv);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
  });

  it('ServerlessCacheSnapshotNotFoundFault (404) for an unknown snapshot, before the bucket is looked up', async () => {
    const e = await expectFault(exportTo({ ServerlessCacheSnapshotName: 'ghost', S3BucketName: 'no-such-bucket' }), {
      name: 'ServerlessCacheSnapshotNotFoundFault',
      status: 404,
      errorClass: ServerlessCacheSnapshotNotFoundFault,
    });
    expect(e.message).toBe('Serverless cache snapshot ghost not found.');
  });

  it('InvalidParameterValue for a Memcached snapshot', async () => {
    await availableSnapshot('mc', 'demo-memcached');
    const e = await expectFault(exportTo({ ServerlessCacheSnapshotName: 'mc', S3BucketName: 'demo-exports' }), ipv);
    expect(e.message).toBe('Serverless cache snapshot mc is a Memcached snapshot; only Valkey and Redis OSS snapshots can be exported.');
  });

  it('InvalidParameterValue for a missing bucket and for a bucket in another region', async () => {
    await availableSnapshot('s');
    const missing = await expectFault(exportTo({ ServerlessCacheSnapshotName: 's', S3BucketName: 'no-such-bucket' }), ipv);
    expect(missing.message).toBe('The S3 bucket no-such-bucket does not exist.');
    expect((await adminCall(env.emulator.url, 'PUT', '/buckets/eu-backups', { region: 'eu-west-1' })).status).toBe(201);
    const elsewhere = await expectFault(exportTo({ ServerlessCacheSnapshotName: 's', S3BucketName: 'eu-backups' }), ipv);
    expect(elsewhere.message).toBe('The S3 bucket eu-backups is in eu-west-1; it must be in the same region as the snapshot (us-east-1).');
    expect(await status('s')).toBe('available');
  });

  it('lasting problems come before the state: a creating Memcached snapshot is told about the engine', async () => {
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'young-mc', ServerlessCacheName: 'demo-memcached' }));
    await expectFault(exportTo({ ServerlessCacheSnapshotName: 'young-mc', S3BucketName: 'demo-exports' }), ipv);
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'young', ServerlessCacheName: 'demo-valkey' }));
    await expectFault(exportTo({ ServerlessCacheSnapshotName: 'young', S3BucketName: 'no-such-bucket' }), ipv);
  });

  it('InvalidServerlessCacheSnapshotStateFault while creating, exporting or deleting', async () => {
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'young', ServerlessCacheName: 'demo-valkey' }));
    const e = await expectFault(exportTo({ ServerlessCacheSnapshotName: 'young', S3BucketName: 'demo-exports' }), {
      name: 'InvalidServerlessCacheSnapshotStateFault',
      status: 400,
      errorClass: InvalidServerlessCacheSnapshotStateFault,
    });
    expect(e.message).toBe('Serverless cache snapshot young is not in the available state (it is creating); only an available snapshot can be exported.');
    env.clock.advance(1000);
    await exportTo({ ServerlessCacheSnapshotName: 'young', S3BucketName: 'demo-exports' });
    const twice = await expectFault(exportTo({ ServerlessCacheSnapshotName: 'young', S3BucketName: 'demo-exports' }), { name: 'InvalidServerlessCacheSnapshotStateFault', status: 400 });
    expect(twice.message).toContain('(it is exporting)');
  });

  it('ServiceLinkedRoleNotFoundFault, reachable by injection', async () => {
    await availableSnapshot('s');
    await injectFault(env.emulator.url, { action: 'ExportServerlessCacheSnapshot', code: 'ServiceLinkedRoleNotFoundFault' });
    await expectFault(exportTo({ ServerlessCacheSnapshotName: 's', S3BucketName: 'demo-exports' }), { name: 'ServiceLinkedRoleNotFoundFault', status: 400, errorClass: ServiceLinkedRoleNotFoundFault });
    expect(await status('s')).toBe('available');
  });
});

describe('admin buckets', () => {
  it('lists the seed bucket; PUT creates (201) or moves (200) a bucket, GET and DELETE answer 404 for unknown ones', async () => {
    expect(await adminCall(env.emulator.url, 'GET', '/buckets')).toEqual({ status: 200, body: [{ name: 'demo-exports', region: 'us-east-1', objects: [] }] });
    expect(await adminCall(env.emulator.url, 'PUT', '/buckets/archive', { region: 'ap-southeast-2' })).toEqual({
      status: 201,
      body: { name: 'archive', region: 'ap-southeast-2', objects: [] },
    });
    expect(await adminCall(env.emulator.url, 'PUT', '/buckets/archive', {})).toEqual({ status: 200, body: { name: 'archive', region: 'us-east-1', objects: [] } });
    expect((await adminCall<BucketView[]>(env.emulator.url, 'GET', '/buckets')).body.map((b) => b.name)).toEqual(['archive', 'demo-exports']);
    expect(await adminCall(env.emulator.url, 'GET', '/buckets/nope')).toEqual({ status: 404, body: { error: 'S3 bucket nope not found.' } });
    expect(await adminCall(env.emulator.url, 'DELETE', '/buckets/archive')).toEqual({ status: 200, body: { deleted: true } });
    expect((await adminCall(env.emulator.url, 'DELETE', '/buckets/archive')).status).toBe(404);
  });

  it('refuses a bucket name S3 would refuse, an unknown field and a malformed region', async () => {
    const bad = await adminCall<{ error: string }>(env.emulator.url, 'PUT', '/buckets/Bad_Name');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/Bad_Name is not a valid S3 bucket name/);
    expect((await adminCall(env.emulator.url, 'PUT', '/buckets/192.168.1.1')).status).toBe(400);
    expect((await adminCall(env.emulator.url, 'PUT', '/buckets/ok-name', { colour: 'red' })).status).toBe(400);
    const region = await adminCall<{ error: string }>(env.emulator.url, 'PUT', '/buckets/ok-name', { region: 'Mars' });
    expect(region.status).toBe(400);
    expect(region.body.error).toMatch(/region: must be a region name/);
    expect((await adminCall(env.emulator.url, 'POST', '/buckets/ok-name')).status).toBe(405);
  });

  it('reset restores the seed bucket, empty, and drops the others', async () => {
    await adminCall(env.emulator.url, 'PUT', '/buckets/extra');
    await availableSnapshot('s');
    await exportTo({ ServerlessCacheSnapshotName: 's', S3BucketName: 'demo-exports' });
    env.clock.advance(2000);
    await adminCall(env.emulator.url, 'DELETE', '/buckets/demo-exports');
    await adminCall(env.emulator.url, 'POST', '/reset');
    expect((await adminCall(env.emulator.url, 'GET', '/buckets')).body).toEqual([{ name: 'demo-exports', region: 'us-east-1', objects: [] }]);
  });
});
