/**
 * The gateway as `npm start` runs it, in its own process (TypeScript through tsx, no build), for
 * tests of what only a process shows: exit codes, stderr, signals.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

export type LogLine = Record<string, unknown>;

export interface GatewayProcess {
  process: ChildProcessWithoutNullStreams;
  lines: LogLine[];
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first log line `predicate` accepts; rejects if the process exits first. */
  line(predicate: (line: LogLine) => boolean): Promise<LogLine>;
  /** The exit code (null when a signal ended the process). */
  exit: Promise<number | null>;
}

/**
 * Starts `src/main.ts` (or another entry point, such as the standalone emulator's) with only `env`
 * (and PATH) set: loopback, any free ports, and AWS files that do not exist, so nothing from the
 * machine running the tests leaks in.
 */
export function startProcess(env: Record<string, string>, entryPoint = 'src/main.ts'): GatewayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entryPoint], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      AWS_CONFIG_FILE: '/nonexistent/aws/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
  const lines: LogLine[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void; reject: (error: Error) => void }[] = [];
  let buffered = '';
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    buffered += chunk.toString('utf8');
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const text of complete.filter((l) => l.startsWith('{'))) {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.predicate(line))) waiter.resolve(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // 'close', not 'exit': by then every line the process wrote has been read.
  const exit = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  let exited = false;
  void exit.then((code) => {
    exited = true;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`the gateway exited (${code}) before the expected log line; stderr: ${stderr}`));
  });
  return {
    process: child,
    lines,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
    line: (predicate) =>
      new Promise((found, failed) => {
        const seen = lines.find(predicate);
        if (seen) found(seen);
        else if (exited) failed(new Error(`the gateway exited before the expected log line; stderr: ${stderr}`));
        else waiters.push({ predicate, resolve: found, reject: failed });
      }),
  };
}

export async function stopProcess(started: GatewayProcess): Promise<void> {
  if (started.process.exitCode === null && started.process.signalCode === null) started.process.kill('SIGTERM');
  await started.exit;
}

/**
 * What the gateway wrote to stderr, without the AWS SDK's warning about the Node.js version (a
 * warning of the runtime's, not the gateway's message).
 */
export function gatewayStderr(started: GatewayProcess): string {
  return started
    .stderr()
    .replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n/g, '')
    .trim();
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 connection written by hand, for what fetch hides: which connection a request goes
 * on, and a request sent in two parts.
 */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private readonly waiting: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      for (const wake of this.waiting.splice(0)) wake();
    });
    this.closed = new Promise((done) => socket.once('close', () => done()));
    void this.closed.then(() => {
      for (const wake of this.waiting.splice(0)) wake();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((opened, failed) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.off('error', failed);
        opened(new RawConnection(socket));
      });
      socket.once('error', failed);
    });
  }

  write(text: string): Promise<void> {
    return new Promise((written, failed) => this.socket.write(text, (error) => (error ? failed(error) : written())));
  }

  /** The next response on the connection (Content-Length bodies only, which is all the gateway sends here). */
  async response(): Promise<RawResponse> {
    for (;;) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine = '', ...headerLines] = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(
          headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
        );
        const length = Number(headers['content-length'] ?? 0);
        if (this.buffered.length >= end + 4 + length) {
          const body = this.buffered.subarray(end + 4, end + 4 + length).toString('utf8');
          this.buffered = this.buffered.subarray(end + 4 + length);
          return { status: Number(statusLine.split(' ')[1]), headers, body };
        }
      }
      if (this.socket.destroyed || this.socket.readableEnded) throw new Error('the connection closed before a whole response arrived');
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }
}

/** Resolves with the error code of a connection attempt that fails, or null when it is accepted. */
export function connectionRefusal(port: number): Promise<string | null> {
  return new Promise((settled) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      settled(null);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => settled(error.code ?? error.message));
  });
}
