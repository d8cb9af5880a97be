#!/usr/bin/env node
// Several gateway replicas sharing one Redis, on one standalone emulator, for trying by hand:
//   npm run cluster -- --replicas 3
// Replica i listens on PORT+i (default 4000+i) with its metrics on METRICS_PORT+i (9464+i); the
// emulator on EMULATOR_PORT (4567); Redis at REDIS_URL (redis://127.0.0.1:6379). Ctrl-C stops all.
// Any other gateway variable in the environment is passed to every replica.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { replicas: { type: 'string', default: '3' } } });
const replicas = Number(values.replicas);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 20) {
  console.error('usage: npm run cluster -- --replicas N   (1 to 20)');
  process.exit(2);
}
const env = process.env;
const basePort = Number(env.PORT ?? 4000);
const baseMetricsPort = Number(env.METRICS_PORT ?? 9464);
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const children = [];

/** Starts a built entry point; resolves with its first JSON log line that `ready` accepts. Warnings and errors are echoed. */
function start(label, entryPoint, childEnv, ready) {
  // Its own process group: Ctrl-C reaches this script only, which stops each child once, in order.
  const child = spawn(process.execPath, [entryPoint], { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${label} exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line;
      try {
        line = JSON.parse(text);
      } catch {
        return console.log(`[${label}] ${text}`);
      }
      if (line.level >= 40) console.log(`[${label}] ${line.msg}`);
      if (ready(line)) resolve(line);
    });
  });
}

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((done) => (c.once('exit', done), c.kill('SIGTERM')))),
  );
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  const emulator = await start('emulator', 'dist/src/emulator/main.js', { ...env, EMULATOR_PORT: env.EMULATOR_PORT ?? '4567' }, (l) => typeof l.url === 'string');
  const replicaEnv = (i) => ({
    // Trying it by hand: the emulator's defaults (open schema, console, no credentials) unless set.
    GRAPHQL_INTROSPECTION: 'true',
    GRAPHQL_LANDING_PAGE: 'true',
    CONSOLE_ENABLED: 'true',
    EXPORT_S3_BUCKETS: 'demo-exports',
    ...(env.AUTH_JWT_ISSUER || env.AUTH_API_KEYS_FILE ? {} : { AUTH_DISABLED: 'true' }),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'EMULATOR',
    AWS_SECRET_ACCESS_KEY: 'EMULATOR',
    ...env,
    ELASTICACHE_BACKEND: 'aws',
    AWS_ENDPOINT_URL_ELASTICACHE: emulator.url,
    REDIS_URL: redisUrl,
    PORT: String(basePort + i),
    METRICS_PORT: String(baseMetricsPort + i),
  });
  const ready = await Promise.all(
    Array.from({ length: replicas }, (_, i) => start(`replica ${i + 1}`, 'dist/src/main.js', replicaEnv(i), (l) => l.msg === 'gateway ready')),
  );
  console.log(`emulator   ${emulator.url}`);
  console.log(`redis      ${redisUrl.replace(/\/\/([^@]*):[^@]*@/, '//$1:***@')}`);
  ready.forEach((line, i) => console.log(`replica ${i + 1}  ${line.url}   metrics ${line.metrics}/metrics`));
  console.log('Ctrl-C stops them all.');
  for (const child of children) child.once('exit', () => void stop(1));
} catch (error) {
  console.error(error.message);
  await stop(1);
}
