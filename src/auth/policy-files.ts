/**
 * The two files an operator writes to grant access: API keys (`AUTH_API_KEYS_FILE`) and the group
 * policy for bearer tokens (`AUTH_POLICY_FILE`). Both are read at start-up and again on SIGHUP; a
 * file that cannot be read or breaks a rule is refused as a whole, with a message naming the file
 * and the entry, so a typo never half-applies.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SCOPES } from './principal';

const scopes = z.array(z.enum(SCOPES, { message: `a scope: ${SCOPES.join(' or ')}` }));
const cachePatterns = z.array(z.string().min(1, 'a cache-name pattern such as billing-* (empty matches nothing)'));

export const apiKeyEntries = z
  .array(
    z.strictObject({
      id: z.string().min(1).max(128),
      sha256: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, 'the hex SHA-256 of the key (64 hex digits), as `npm run api-key` prints it')
        .transform((hex) => hex.toLowerCase()),
      scopes,
      caches: cachePatterns,
    }),
  )
  .superRefine((entries, ctx) => {
    const ids = new Set<string>();
    const hashes = new Set<string>();
    entries.forEach((entry, index) => {
      if (ids.has(entry.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `id "${entry.id}" appears twice` });
      if (hashes.has(entry.sha256)) ctx.addIssue({ code: 'custom', path: [index, 'sha256'], message: 'the same key appears twice' });
      ids.add(entry.id);
      hashes.add(entry.sha256);
    });
  });
export type ApiKeyEntry = z.output<typeof apiKeyEntries>[number];

export const groupPolicyEntries = z.array(
  z.strictObject({
    group: z.string().min(1),
    scopes,
    caches: cachePatterns,
  }),
);
export type GroupPolicyEntry = z.output<typeof groupPolicyEntries>[number];

/** A policy file that cannot be used as it is. */
export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'PolicyFileError';
  }
}

/** `json` checked against `schema`; a `PolicyFileError` naming `file` and each entry at fault otherwise. */
export function parsePolicy<T>(file: string, schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? `[${i.path.join('].[')}]` : 'the file'}: ${i.message}`);
    throw new PolicyFileError(file, problems.join('; '));
  }
  return parsed.data;
}

export async function readPolicyFile<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PolicyFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PolicyFileError(file, 'is not valid JSON');
  }
  return parsePolicy(file, schema, json);
}
