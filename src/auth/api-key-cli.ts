/**
 * `npm run api-key -- --id billing-svc --scopes snapshots:read,snapshots:write --caches 'billing-*'`
 *
 * Mints an API key: prints the key once (only its hash is ever stored) and the entry for the file
 * `AUTH_API_KEYS_FILE` names; with `--file PATH` the entry is added to that file, which is checked
 * as the gateway will read it. A running gateway picks the change up on SIGHUP.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generateApiKey, hashApiKey } from './api-keys';
import { apiKeyEntries, parsePolicy, readPolicyFile } from './policy-files';

const USAGE = "usage: npm run api-key -- --id NAME --scopes snapshots:read[,snapshots:write] --caches 'PATTERN[,PATTERN]' [--file keys.json]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { id: { type: 'string' }, scopes: { type: 'string' }, caches: { type: 'string' }, file: { type: 'string' } },
  });
  if (values.id === undefined || values.scopes === undefined || values.caches === undefined) throw new Error(USAGE);
  const split = (list: string) => list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const key = generateApiKey();
  // Checked as the gateway will read it, alone and then with the file's other entries.
  const [entry] = parsePolicy('the new entry', apiKeyEntries, [
    { id: values.id, sha256: hashApiKey(key), scopes: split(values.scopes), caches: split(values.caches) },
  ]);
  if (entry === undefined) throw new Error(USAGE);

  if (values.file !== undefined) {
    const existing = existsSync(values.file) ? await readPolicyFile(values.file, apiKeyEntries) : [];
    const updated = parsePolicy(values.file, apiKeyEntries, [...existing, entry]);
    await writeFile(values.file, `${JSON.stringify(updated, null, 2)}\n`, { mode: 0o600 });
  }

  console.log(`API key for "${entry.id}" (shown this once: put it in the service's secret store now):
  ${key}

${
  values.file === undefined
    ? 'Add this entry to the JSON array in the file AUTH_API_KEYS_FILE names'
    : `Added this entry to ${values.file}`
}, then send the gateway SIGHUP (or restart it):
  ${JSON.stringify(entry)}

The service calls the gateway with the header  x-api-key: ${key.slice(0, 9)}…`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
