/**
 * API keys for platform services (`x-api-key`, AppSync's header). Only the keys' SHA-256 hashes are
 * stored; a presented key is hashed and compared with every entry in constant time, so neither the
 * file nor the timing of an answer gives a key away.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from './policy-files';

/** Every key starts with this, so a leaked one is easy to recognise in code, logs and scanners. */
export const API_KEY_PREFIX = 'esgw_';

/** A new key: 32 random bytes, base64url. Shown once; only its hash is kept. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The entry whose hash is the presented key's, if any. */
export function findApiKey(entries: readonly ApiKeyEntry[], presented: string): ApiKeyEntry | undefined {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let found: ApiKeyEntry | undefined;
  // No early exit: the time taken does not depend on which entry matched, or how much of it.
  for (const entry of entries) {
    if (timingSafeEqual(digest, Buffer.from(entry.sha256, 'hex')) && found === undefined) found = entry;
  }
  return found;
}
