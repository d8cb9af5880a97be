/**
 * The optional state file: read once at start, rewritten after every change.
 *
 * Writes are atomic (temp file in the same directory, fsync, rename, fsync of the directory), so a
 * crash leaves either the old or the new state, never a torn file. They are serialised, so two
 * changes close together cannot interleave, and a write still waiting to start is shared by later
 * callers, since it will serialise the state as it is when it starts.
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  migrateV1,
  READABLE_STATE_VERSIONS,
  STATE_FORMAT,
  STATE_VERSION,
  stateDocumentSchema,
  stateDocumentV1Schema,
  type BucketRecord,
  type StateData,
  type StateDocument,
} from './state';
import { describeIssues } from './zod-issues';

/** The state file exists but cannot be used; starting anyway would silently discard its content. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** What a version-1 file lacks and is filled in from (see `migrateV1`). */
export interface StateMigration {
  snapshotAvailableAfterMs: number;
  buckets: BucketRecord[];
}

/**
 * The saved state, or `undefined` when the file does not exist yet. A version-1 file is migrated
 * (it is rewritten as version 2 with the next change).
 */
export async function readStateFile(path: string, migration: StateMigration): Promise<StateData | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`Cannot read the emulator state file ${path}: ${errorText(err)}`);
  }
  const fix = 'Repair it, or delete it to start again from the seed caches.';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(`The emulator state file ${path} is not valid JSON (${errorText(err)}). ${fix}`);
  }
  const version = typeof json === 'object' && json !== null ? (json as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && !(READABLE_STATE_VERSIONS as readonly number[]).includes(version)) {
    throw new StateFileError(
      `The emulator state file ${path} has version ${version}; this emulator reads versions ${READABLE_STATE_VERSIONS.join(' and ')}. ${fix}`,
    );
  }
  if (version === 1) {
    const v1 = stateDocumentV1Schema.safeParse(json);
    if (!v1.success) throw new StateFileError(`The emulator state file ${path} is not a valid emulator state (version 1): ${describeIssues(v1.error)}. ${fix}`);
    return migrateV1(v1.data, migration);
  }
  const parsed = stateDocumentSchema.safeParse(json);
  if (!parsed.success) {
    throw new StateFileError(`The emulator state file ${path} is not a valid emulator state: ${describeIssues(parsed.error)}. ${fix}`);
  }
  return { caches: parsed.data.caches, snapshots: parsed.data.snapshots, buckets: parsed.data.buckets };
}

export function stateDocument(data: StateData, savedAtMs: number): StateDocument {
  return { format: STATE_FORMAT, version: STATE_VERSION, savedAt: new Date(savedAtMs).toISOString(), ...data };
}

/** Replaces `path` with `contents` atomically. */
export async function writeFileAtomic(path: string, contents: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const file = await open(temp, 'wx', 0o644);
    try {
      await file.writeFile(contents, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  // Make the rename itself durable. Some platforms cannot fsync a directory; the data is safe anyway.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}

export class StateFileWriter {
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly read: () => StateData,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Resolves once a write that began after this call has completed; rejects if it failed. */
  save(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const run = this.tail.then(() => {
      this.queued = undefined;
      return writeFileAtomic(this.path, `${JSON.stringify(stateDocument(this.read(), this.clock()), null, 2)}\n`);
    });
    this.queued = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for every requested write to finish (failures were already reported to their callers). */
  flush(): Promise<void> {
    return this.tail;
  }
}
