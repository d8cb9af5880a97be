/** Which snapshot counts as the one a create made, when its answer was lost. */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { CLOCK_SKEW_ALLOWANCE_MS, createRequestFingerprint, isFromThisAction } from '../../src/snapshots/creation';

const began = Date.parse('2026-11-29T12:00:00Z');
const snapshot = (cache: string, createdAt: number): ServerlessCacheSnapshot => ({
  ServerlessCacheSnapshotName: 'nightly',
  CreateTime: new Date(createdAt),
  ServerlessCacheConfiguration: { ServerlessCacheName: cache },
});
const request = { serverlessCacheSnapshotName: 'Nightly', serverlessCacheName: 'Demo-Valkey' };

it('the same cache (any case), created after the action began or within the clock skew allowance', () => {
  expect(isFromThisAction(snapshot('demo-valkey', began + 10), request, began)).toBe(true);
  expect(isFromThisAction(snapshot('demo-valkey', began - CLOCK_SKEW_ALLOWANCE_MS), request, began)).toBe(true);
});

it('not from another cache, not from before the action, not without a creation time', () => {
  expect(isFromThisAction(snapshot('demo-redis', began + 10), request, began)).toBe(false);
  expect(isFromThisAction(snapshot('demo-valkey', began - CLOCK_SKEW_ALLOWANCE_MS - 1), request, began)).toBe(false);
  expect(isFromThisAction({ ...snapshot('demo-valkey', began), CreateTime: undefined }, request, began)).toBe(false);
});

it('fingerprints compare inputs as AWS would: names in any case and tags in any order are the same input', () => {
  const tags = [
    { key: 'a', value: '1' },
    { key: 'b', value: null },
  ];
  const base = createRequestFingerprint({ ...request, tags });
  expect(createRequestFingerprint({ serverlessCacheSnapshotName: 'NIGHTLY', serverlessCacheName: 'demo-valkey', tags: [...tags].reverse() })).toBe(base);
  expect(createRequestFingerprint({ ...request, tags: [{ key: 'a', value: '2' }, tags[1]!] })).not.toBe(base);
  expect(createRequestFingerprint({ ...request, tags, kmsKeyId: 'key' })).not.toBe(base);
});
