/** Who may share a query's run (src/trusted-documents/shared-executions.ts): the same caller with the same grants, no one else. */
import { CachePatterns } from '../../src/auth/cache-patterns';
import type { Principal, Scope } from '../../src/auth/principal';
import { callerKey } from '../../src/trusted-documents/shared-executions';

const principal = (id: string, grants: [Scope[], string[]][], kind: Principal['kind'] = 'jwt'): Principal => ({
  kind,
  id,
  grants: grants.map(([scopes, caches]) => ({ scopes: new Set(scopes), caches: new CachePatterns(caches) })),
  expiresAt: undefined,
});

describe('callerKey', () => {
  it('is the same for the same caller with the same grants', () => {
    expect(callerKey(principal('ana', [[['snapshots:read'], ['demo-*']]]))).toBe(callerKey(principal('ana', [[['snapshots:read'], ['demo-*']]])));
  });

  it('differs by caller, kind, scopes, caches and how grants pair them', () => {
    const keys = [
      principal('ana', [[['snapshots:read'], ['demo-*']]]),
      principal('bob', [[['snapshots:read'], ['demo-*']]]),
      principal('ana', [[['snapshots:read'], ['demo-*']]], 'api-key'),
      principal('ana', [[['snapshots:read', 'snapshots:write'], ['demo-*']]]),
      principal('ana', [[['snapshots:read'], ['demo-valkey']]]),
      principal('ana', [[['snapshots:read'], ['demo-*', 'prod-*']]]),
      principal('ana', [
        [['snapshots:read'], ['demo-*']],
        [['snapshots:write'], ['prod-*']],
      ]),
      principal('ana', [
        [['snapshots:read'], ['prod-*']],
        [['snapshots:write'], ['demo-*']],
      ]),
      principal('ana', []),
    ].map(callerKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('cannot be spelled by a name: a subject holding another caller\'s grants in its text is still someone else', () => {
    const real = principal('ana', [[['snapshots:read'], ['*']]]);
    const tail = callerKey(real).slice(callerKey(principal('ana', [])).length);
    for (const forged of [`ana${tail}`, `ana\u0000\u0000snapshots:read\u0000*`, `ana","snapshots:read","*`]) {
      expect(callerKey(principal(forged, []))).not.toBe(callerKey(real));
    }
  });
});
