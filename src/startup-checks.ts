/**
 * What must hold before the gateway opens a port: each check fails the start with a one-line
 * `StartupError` naming the setting to fix (src/main.ts prints it and exits with 2), instead of a
 * gateway that starts and then fails every request, or dies with a stack trace.
 */
import { lookup } from 'node:dns/promises';
import { open, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';

/** The environment cannot run the gateway; `message` names the setting and says what is wrong. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** One line, whatever the library wrote. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * The interface a listener is configured with resolves. Checked before any port opens, so that a
 * typo in HOST does not surface only after the emulator and the metrics listener are up.
 */
export async function checkHostResolves(setting: string, host: string): Promise<void> {
  try {
    await lookup(host);
  } catch (error) {
    throw new StartupError(`${setting}=${host} does not resolve to an address (${codeOf(error) ?? 'lookup failed'})`);
  }
}

/**
 * Turns a listen failure into the setting to change. Anything else is not about the settings and
 * is returned as it is.
 */
export function listenFailure(error: unknown, settings: { port: string; host: string }, host: string, port: number): unknown {
  switch (codeOf(error)) {
    case 'EADDRINUSE':
      return new StartupError(`${settings.port}=${port}: ${host}:${port} is already in use by another process`);
    case 'EACCES':
      return new StartupError(`${settings.port}=${port}: not permitted to listen on ${host}:${port} (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
      return new StartupError(`${settings.host}=${host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`${settings.host}=${host} does not resolve to an address (${codeOf(error)})`);
    default:
      return error;
  }
}

/**
 * The emulator rewrites its state file after every change, through a temporary file in the same
 * directory; when that cannot be created, every create would fail (and be undone) at request time.
 * So the start creates and removes such a file, whether or not the state file exists yet.
 */
export async function checkStateFileWritable(path: string): Promise<void> {
  const directory = dirname(resolve(path));
  const probe = join(directory, `.${basename(path)}.${process.pid}.start-check.tmp`);
  try {
    const file = await open(probe, 'wx', 0o600);
    await file.close();
    await rm(probe, { force: true });
  } catch (error) {
    const why: Record<string, string> = {
      ENOENT: `the directory ${directory} does not exist`,
      ENOTDIR: `${directory} is not a directory`,
      EACCES: `no permission to create files in ${directory}`,
      EPERM: `no permission to create files in ${directory}`,
      EROFS: `${directory} is on a read-only file system`,
    };
    const code = codeOf(error);
    throw new StartupError(`EMULATOR_STATE_FILE=${path} cannot be written: ${(code && why[code]) ?? oneLine((error as Error).message)}`);
  }
}

/**
 * The region and credentials the client will sign with, resolved by the SDK's own providers (the
 * client's configured chain: environment, shared config and credentials files for AWS_PROFILE,
 * SSO, web identity, container and instance roles), so the answer is exactly what the first call
 * would get. No AWS API is called to judge the credentials: whether AWS accepts them is /ready's
 * question. The chain may itself reach a credential endpoint (instance metadata, STS for a role
 * profile), so it is bounded by `timeoutMs`.
 */
export async function checkAwsIdentity(client: ElastiCacheClient, timeoutMs: number): Promise<void> {
  try {
    await client.config.region();
  } catch {
    throw new StartupError(
      'AWS_REGION is not set and the SDK found no region in the shared config for AWS_PROFILE: set AWS_REGION, or region in that profile',
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.config.credentials(), timeout]);
  } catch (error) {
    // The provider's message is about local configuration (a profile not found, a file not
    // parsed), never a secret, and it is what an operator needs to fix it.
    throw new StartupError(
      `no AWS credentials: the SDK's credential chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, container or instance role) found none (${oneLine((error as Error).message)})`,
    );
  } finally {
    clearTimeout(timer);
  }
}
