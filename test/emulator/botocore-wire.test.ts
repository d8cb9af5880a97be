/**
 * A second client's wire format: each new operation's request serialized by botocore's own query
 * serializer (Python, as the AWS CLI and boto3 send it: `+` for spaces, `charset=utf-8`, its own
 * member order) must decode to the same parameters as the JS SDK's request, and be answered
 * byte for byte as the JS SDK's request is (request ids aside), successes and faults alike.
 *
 * Skipped, with a message, only where python3 or botocore is missing.
 */
import {
  AddTagsToResourceCommand,
  CopyServerlessCacheSnapshotCommand,
  CreateServerlessCacheCommand,
  CreateServerlessCacheSnapshotCommand,
  DeleteServerlessCacheSnapshotCommand,
  ElastiCacheClient,
  ExportServerlessCacheSnapshotCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-elasticache';
import { spawnSync } from 'node:child_process';
import { adminCall, errorCode, rawAws, sdkClient, snapshotArnOf, useClockedEmulator } from './helpers';

const botocore = spawnSync('python3', ['-c', 'import botocore; print(botocore.__version__)'], { encoding: 'utf8' });
const haveBotocore = botocore.status === 0;
if (!haveBotocore) {
  const why = botocore.error?.message ?? botocore.stderr.trim().split('\n').pop();
  console.warn(`SKIPPED test/emulator/botocore-wire.test.ts: python3 with botocore is not available (${why ?? 'unknown reason'}).`);
}

/** Serializes each case with botocore's query serializer and prepares it as botocore would send it. */
const SERIALIZE = `
import json, sys
import botocore.awsrequest, botocore.serialize, botocore.session
model = botocore.session.get_session().get_service_model('elasticache')
serializer = botocore.serialize.create_serializer('query')
out = []
for case in json.load(sys.stdin):
    request = serializer.serialize_to_request(case['params'], model.operation_model(case['operation']))
    botocore.awsrequest.prepare_request_dict(request, 'http://emulator.invalid')
    prepared = botocore.awsrequest.create_request_object(request).prepare()
    body = prepared.body if isinstance(prepared.body, str) else prepared.body.decode('utf-8')
    out.append({'body': body, 'contentType': prepared.headers['Content-Type']})
print(json.dumps(out))
`;

interface Case {
  label: string;
  operation: string;
  params: Record<string, unknown>;
  send: (client: ElastiCacheClient, params: never) => Promise<unknown>;
  status: number;
  code?: string;
}

const SRC = snapshotArnOf('src');
const cases: Case[] = [
  {
    label: 'Copy, with tags needing encoding',
    operation: 'CopyServerlessCacheSnapshot',
    params: { SourceServerlessCacheSnapshotName: 'src', TargetServerlessCacheSnapshotName: 'Copy Target ü', KmsKeyId: 'alias/k', Tags: [{ Key: 'a b', Value: 'c+d&e=f/ü 😀' }, { Key: 'bare' }] },
    send: (c, p) => c.send(new CopyServerlessCacheSnapshotCommand(p)),
    status: 200,
  },
  {
    label: 'Copy of an unknown source',
    operation: 'CopyServerlessCacheSnapshot',
    params: { SourceServerlessCacheSnapshotName: 'ghost', TargetServerlessCacheSnapshotName: 't' },
    send: (c, p) => c.send(new CopyServerlessCacheSnapshotCommand(p)),
    status: 404,
    code: 'ServerlessCacheSnapshotNotFoundFault',
  },
  {
    label: 'Delete',
    operation: 'DeleteServerlessCacheSnapshot',
    params: { ServerlessCacheSnapshotName: 'SRC' },
    send: (c, p) => c.send(new DeleteServerlessCacheSnapshotCommand(p)),
    status: 200,
  },
  {
    label: 'Export',
    operation: 'ExportServerlessCacheSnapshot',
    params: { ServerlessCacheSnapshotName: 'src', S3BucketName: 'demo-exports' },
    send: (c, p) => c.send(new ExportServerlessCacheSnapshotCommand(p)),
    status: 200,
  },
  {
    label: 'Export to a missing bucket',
    operation: 'ExportServerlessCacheSnapshot',
    params: { ServerlessCacheSnapshotName: 'src', S3BucketName: 'no-such-bucket' },
    send: (c, p) => c.send(new ExportServerlessCacheSnapshotCommand(p)),
    status: 400,
    code: 'InvalidParameterValue',
  },
  {
    label: 'CreateServerlessCache restoring, with every member',
    operation: 'CreateServerlessCache',
    params: {
      ServerlessCacheName: 'Restored',
      Engine: 'valkey',
      Description: 'From src, with + and spaces',
      MajorEngineVersion: '8',
      CacheUsageLimits: { DataStorage: { Maximum: 10, Minimum: 1, Unit: 'GB' }, ECPUPerSecond: { Maximum: 5000, Minimum: 1000 } },
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
      SecurityGroupIds: ['sg-1', 'sg-2'],
      SnapshotArnsToRestore: [SRC],
      Tags: [{ Key: 'k', Value: 'v' }],
      UserGroupId: 'demo-user-group',
      SubnetIds: ['subnet-1'],
      SnapshotRetentionLimit: 3,
      DailySnapshotTime: '02:30',
      NetworkType: 'dual_stack',
    },
    send: (c, p) => c.send(new CreateServerlessCacheCommand(p)),
    status: 200,
  },
  {
    label: 'CreateServerlessCache with empty lists',
    operation: 'CreateServerlessCache',
    params: { ServerlessCacheName: 'empty-lists', Engine: 'redis', Tags: [], SubnetIds: [], SecurityGroupIds: [], SnapshotArnsToRestore: [] },
    send: (c, p) => c.send(new CreateServerlessCacheCommand(p)),
    status: 200,
  },
  {
    label: 'CreateServerlessCache restoring a snapshot of another engine',
    operation: 'CreateServerlessCache',
    params: { ServerlessCacheName: 'wrong', Engine: 'redis', SnapshotArnsToRestore: [SRC] },
    send: (c, p) => c.send(new CreateServerlessCacheCommand(p)),
    status: 400,
    code: 'InvalidParameterCombination',
  },
  {
    label: 'ListTagsForResource',
    operation: 'ListTagsForResource',
    params: { ResourceName: SRC },
    send: (c, p) => c.send(new ListTagsForResourceCommand(p)),
    status: 200,
  },
  {
    label: 'AddTagsToResource',
    operation: 'AddTagsToResource',
    params: { ResourceName: SRC, Tags: [{ Key: 'new', Value: 'v w+x' }, { Key: 'keep', Value: 'overwritten' }, { Key: 'no-value' }] },
    send: (c, p) => c.send(new AddTagsToResourceCommand(p)),
    status: 200,
  },
  {
    label: 'AddTagsToResource on a malformed ARN',
    operation: 'AddTagsToResource',
    params: { ResourceName: 'arn:aws:elasticache:src', Tags: [{ Key: 'k' }] },
    send: (c, p) => c.send(new AddTagsToResourceCommand(p)),
    status: 400,
    code: 'InvalidARN',
  },
  {
    label: 'RemoveTagsFromResource (TagKeys.member.N)',
    operation: 'RemoveTagsFromResource',
    params: { ResourceName: SRC, TagKeys: ['t1', 'with space'] },
    send: (c, p) => c.send(new RemoveTagsFromResourceCommand(p)),
    status: 200,
  },
  {
    label: 'RemoveTagsFromResource of a key that is not there',
    operation: 'RemoveTagsFromResource',
    params: { ResourceName: SRC, TagKeys: ['missing'] },
    send: (c, p) => c.send(new RemoveTagsFromResourceCommand(p)),
    status: 404,
    code: 'TagNotFound',
  },
];

const env = useClockedEmulator({ snapshotAvailableAfterMs: 1000 });
const BASE = Date.parse('2026-05-01T08:00:00.000Z');

/** The same starting state for every run: an available valkey snapshot `src` with three tags, at a fixed time. */
async function setUp(): Promise<void> {
  await adminCall(env.emulator.url, 'POST', '/reset');
  env.clock.now = BASE;
  await env.client.send(
    new CreateServerlessCacheSnapshotCommand({
      ServerlessCacheSnapshotName: 'src',
      ServerlessCacheName: 'demo-valkey',
      Tags: [{ Key: 't1', Value: 'x' }, { Key: 'with space' }, { Key: 'keep', Value: 'y' }],
    }),
  );
  env.clock.now = BASE + 1000;
}

/** The body the JS SDK sends for a call, captured before it leaves (nothing reaches the emulator). */
async function jsSdkBody(c: Case): Promise<string> {
  const client = sdkClient(env.emulator.url);
  let body: string | undefined;
  client.middlewareStack.add(
    () => (args) => {
      body = String((args.request as { body?: unknown }).body);
      throw new Error('captured');
    },
    { step: 'build', name: 'captureBody', priority: 'low' },
  );
  try {
    await c.send(client, c.params as never).catch(() => undefined);
  } finally {
    client.destroy();
  }
  if (body === undefined) throw new Error(`the SDK sent no body for ${c.label}`);
  return body;
}

const sorted = (body: string) => [...new URLSearchParams(body)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

(haveBotocore ? describe : describe.skip)(`botocore ${haveBotocore ? botocore.stdout.trim() : '(missing)'}'s query serializer`, () => {
  let botocoreRequests: { body: string; contentType: string }[] = [];
  beforeAll(() => {
    const run = spawnSync('python3', ['-c', SERIALIZE], { input: JSON.stringify(cases.map(({ operation, params }) => ({ operation, params }))), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`botocore serialization failed: ${run.stderr}`);
    botocoreRequests = JSON.parse(run.stdout) as typeof botocoreRequests;
  });

  it.each(cases.map((c, i) => [c.label, i] as const))('%s: same parameters, same answer as the JS SDK', async (_label, i) => {
    const c = cases[i] as Case;
    const py = botocoreRequests[i] as { body: string; contentType: string };
    const js = await jsSdkBody(c);
    expect(sorted(py.body)).toEqual(sorted(js));

    await setUp();
    const fromJs = await rawAws(env.emulator.url, js);
    await setUp();
    const fromPy = await rawAws(env.emulator.url, py.body, { contentType: py.contentType });

    expect(fromJs.status).toBe(c.status);
    if (c.code !== undefined) expect(errorCode(fromJs.text)).toBe(c.code);
    expect([fromPy.status, fromPy.headers.get('content-type'), fromPy.text.replace(UUIDS, 'ID')]).toEqual([
      fromJs.status,
      fromJs.headers.get('content-type'),
      fromJs.text.replace(UUIDS, 'ID'),
    ]);
  });

  it('botocore really encodes differently (+ for spaces, a charset), so the comparison means something', () => {
    const copy = botocoreRequests[0] as { body: string; contentType: string };
    expect(copy.contentType).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(copy.body).toContain('TargetServerlessCacheSnapshotName=Copy+Target+%C3%BC');
    const remove = botocoreRequests.find((_, i) => cases[i]?.operation === 'RemoveTagsFromResource');
    expect(remove?.body).toContain('TagKeys.member.2=with+space');
  });
});
