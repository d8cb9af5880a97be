/**
 * The one setting that points the gateway at AWS: with ELASTICACHE_BACKEND=aws the gateway uses the
 * SDK's standard credential chain and AWS_ENDPOINT_URL_ELASTICACHE, here a standalone emulator
 * standing in for AWS, reached over HTTP like any AWS endpoint.
 */
import { Writable } from 'node:stream';
import { CreateServerlessCacheSnapshotCommand } from '@aws-sdk/client-elasticache';
import { startBackend } from '../src/backend';
import { loadGatewayConfig } from '../src/config';
import { startEmulator, type RunningEmulator } from '../src/emulator';
import { createLogger } from '../src/logger';

const saved = { ...process.env };
let standalone: RunningEmulator;

beforeAll(async () => {
  standalone = await startEmulator(loadGatewayConfig({}).emulator, createLogger('silent'));
  // What an operator's environment would hold; the SDK reads these itself.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' });
});
afterAll(async () => {
  process.env = saved;
  await standalone.close();
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
  return { lines, logger };
}

it('talks to the configured endpoint with the standard credential chain, and says so at start-up', async () => {
  const config = loadGatewayConfig({ ELASTICACHE_BACKEND: 'aws', AUTH_DISABLED: 'true', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_ELASTICACHE: standalone.url });
  const { lines, logger } = capture();
  const backend = await startBackend(config, logger);
  try {
    expect(backend.emulator).toBeUndefined();
    const output = await backend.elasticache.send(
      new CreateServerlessCacheSnapshotCommand({ ServerlessCacheSnapshotName: 'via-aws-backend', ServerlessCacheName: 'demo-valkey' }),
    );
    expect(output.ServerlessCacheSnapshot?.ARN).toBe('arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:via-aws-backend');
    expect(lines).toContainEqual(expect.objectContaining({ backend: 'aws', endpoint: standalone.url, region: 'us-east-1', msg: 'using AWS ElastiCache' }));
  } finally {
    await backend.close();
  }
});

it('starts the embedded emulator by default, and says so at start-up', async () => {
  const { lines, logger } = capture();
  const backend = await startBackend(loadGatewayConfig({}), logger);
  try {
    expect(backend.emulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines).toContainEqual(expect.objectContaining({ backend: 'embedded', endpoint: backend.emulator?.url, msg: 'using the embedded ElastiCache emulator' }));
  } finally {
    await backend.close();
  }
});
