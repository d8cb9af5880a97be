/** DeleteServerlessCacheSnapshot through the real SDK: `deleting`, then gone after the configured delay; faults. */
import {
  CreateServerlessCacheSnapshotCommand,
  DeleteServerlessCacheSnapshotCommand,
  DescribeServerlessCacheSnapshotsCommand,
  ExportServerlessCacheSnapshotCommand,
  InvalidParameterValueException,
  InvalidServerlessCacheSnapshotStateFault,
  ListTagsForResourceCommand,
  ServerlessCacheSnapshotNotFoundFault,
  ServiceLinkedRoleNotFoundFault,
  type DeleteServerlessCacheSnapshotCommandInput,
} from '@aws-sdk/client-elasticache';
import { adminCall, expectFault, injectFault, ManualClock, sdkClient, snapshotArnOf, start, useClockedEmulator } from './helpers';

const env = useClockedEmulator({ snapshotAvailableAfterMs: 1000, snapshotDeleteAfterMs: 500 });

const del = (input: Partial<DeleteServerlessCacheSnapshotCommandInput>) =>
  env.client.send(new DeleteServerlessCacheSnapshotCommand(input as DeleteServerlessCacheSnapshotCommandInput));
const describeAll = async () =>
  (await env.client.send(new DescribeServerlessCacheSnapshotsCommand({}))).ServerlessCacheSnapshots?.map((s) => [s.ServerlessCacheSnapshotName, s.Status]);

async function availableSnapshot(name: string, tags?: { Key: string; Value?: string }[]): Promise<void> {
  await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: name, ServerlessCacheName: 'demo-redis', Tags: tags }));
  env.clock.advance(1000);
}

describe('success', () => {
  it('answers the snapshot with Status deleting', async () => {
    await availableSnapshot('doomed');
    const out = await del({ ServerlessCacheSnapshotName: 'DOOMED' });
    expect(out.ServerlessCacheSnapshot).toMatchObject({
      ServerlessCacheSnapshotName: 'doomed',
      ARN: snapshotArnOf('doomed'),
      Status: 'deleting',
      SnapshotType: 'manual',
      ServerlessCacheConfiguration: { ServerlessCacheName: 'demo-redis', Engine: 'redis', MajorEngineVersion: '7' },
    });
  });

  it('keeps listing it as deleting (name taken, tags readable) until the delay has passed, then it is gone with its tags', async () => {
    await availableSnapshot('doomed', [{ Key: 'k', Value: 'v' }]);
    await availableSnapshot('kept');
    await del({ ServerlessCacheSnapshotName: 'doomed' });
    env.clock.advance(499);
    expect(await describeAll()).toEqual([['doomed', 'deleting'], ['kept', 'available']]);
    expect((await env.client.send(new ListTagsForResourceCommand({ ResourceName: snapshotArnOf('doomed') }))).TagList).toEqual([{ Key: 'k', Value: 'v' }]);
    await expectFault(env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'doomed', ServerlessCacheName: 'demo-redis' })), {
      name: 'ServerlessCacheSnapshotAlreadyExistsFault',
      status: 400,
    });

    env.clock.advance(1);
    expect(await describeAll()).toEqual([['kept', 'available']]);
    await expectFault(env.client.send(new DescribeServerlessCacheSnapshotsCommand({ ServerlessCacheSnapshotName: 'doomed' })), { name: 'ServerlessCacheSnapshotNotFoundFault', status: 404 });
    await expectFault(env.client.send(new ListTagsForResourceCommand({ ResourceName: snapshotArnOf('doomed') })), { name: 'ServerlessCacheSnapshotNotFoundFault', status: 404 });
    expect((await adminCall(env.emulator.url, 'GET', '/snapshots/doomed')).status).toBe(404);

    // The name is free again, and the new snapshot has none of the old one's tags.
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'doomed', ServerlessCacheName: 'demo-redis' }));
    expect((await env.client.send(new ListTagsForResourceCommand({ ResourceName: snapshotArnOf('doomed') }))).TagList).toEqual([]);
  });

  it('with no delay configured, still answers deleting, and the snapshot is gone from the next request on', async () => {
    const clock = new ManualClock();
    const quick = await start({ snapshotAvailableAfterMs: 0, snapshotDeleteAfterMs: 0 }, { clock: clock.read });
    const client = sdkClient(quick.url);
    try {
      await client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'fast', ServerlessCacheName: 'demo-redis' }));
      const out = await client.send(new DeleteServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'fast' }));
      expect(out.ServerlessCacheSnapshot?.Status).toBe('deleting');
      expect((await client.send(new DescribeServerlessCacheSnapshotsCommand({}))).ServerlessCacheSnapshots).toEqual([]);
    } finally {
      client.destroy();
      await quick.close();
    }
  });
});

describe('faults', () => {
  it('InvalidParameterValue without a name', async () => {
    const e = await expectFault(del({}), { name: 'InvalidParameterValueException', status: 400, errorClass: InvalidParameterValueException });
    expect(e.message).toBe('The parameter ServerlessCacheSnapshotName must be provided.');
  });

  it('ServerlessCacheSnapshotNotFoundFault (404) for an unknown snapshot', async () => {
    const e = await expectFault(del({ ServerlessCacheSnapshotName: 'ghost' }), { name: 'ServerlessCacheSnapshotNotFoundFault', status: 404, errorClass: ServerlessCacheSnapshotNotFoundFault });
    expect(e.message).toBe('Serverless cache snapshot ghost not found.');
  });

  it('InvalidServerlessCacheSnapshotStateFault for a snapshot creating, exporting or already deleting; nothing changes', async () => {
    await env.client.send(new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'young', ServerlessCacheName: 'demo-redis' }));
    const e = await expectFault(del({ ServerlessCacheSnapshotName: 'young' }), {
      name: 'InvalidServerlessCacheSnapshotStateFault',
      status: 400,
      errorClass: InvalidServerlessCacheSnapshotStateFault,
    });
    expect(e.message).toBe('Serverless cache snapshot young is not in the available state (it is creating); only an available snapshot can be deleted.');

    await availableSnapshot('exported');
    await env.client.send(new ExportServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'exported', S3BucketName: 'demo-exports' }));
    await expectFault(del({ ServerlessCacheSnapshotName: 'exported' }), { name: 'InvalidServerlessCacheSnapshotStateFault', status: 400 });

    await availableSnapshot('twice');
    await del({ ServerlessCacheSnapshotName: 'twice' });
    const again = await expectFault(del({ ServerlessCacheSnapshotName: 'twice' }), { name: 'InvalidServerlessCacheSnapshotStateFault', status: 400 });
    expect(again.message).toContain('(it is deleting)');
    // young and exported share a CreateTime (the clock had not moved), so they list by name.
    expect(await describeAll()).toEqual([
      ['exported', 'exporting'],
      ['young', 'available'],
      ['twice', 'deleting'],
    ]);
  });

  it('ServiceLinkedRoleNotFoundFault, reachable by injection; the snapshot is kept', async () => {
    await availableSnapshot('s');
    await injectFault(env.emulator.url, { action: 'DeleteServerlessCacheSnapshot', code: 'ServiceLinkedRoleNotFoundFault' });
    await expectFault(del({ ServerlessCacheSnapshotName: 's' }), { name: 'ServiceLinkedRoleNotFoundFault', status: 400, errorClass: ServiceLinkedRoleNotFoundFault });
    expect(await describeAll()).toEqual([['s', 'available']]);
  });

  it('a lost answer (afterOperation): the deletion happened, and a retry is told the snapshot is deleting', async () => {
    await availableSnapshot('s');
    await injectFault(env.emulator.url, { action: 'DeleteServerlessCacheSnapshot', afterOperation: true, code: 'ServiceUnavailable', status: 503 });
    await expectFault(del({ ServerlessCacheSnapshotName: 's' }), { name: 'ServiceUnavailable', status: 503 });
    await expectFault(del({ ServerlessCacheSnapshotName: 's' }), { name: 'InvalidServerlessCacheSnapshotStateFault', status: 400 });
  });
});
