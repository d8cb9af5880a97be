/**
 * `npm run dev-issuer`: a development OIDC issuer on loopback, so authentication can be tried
 * without an identity provider. Prints the variables that point the gateway at it and a token;
 * `--sub`, `--scope` and `--caches` choose what that token grants, and `GET /token` mints more.
 */
import { parseArgs } from 'node:util';
import { ConfigurationError, loadDevIssuerConfig } from '../config';
import { DEFAULT_GRANT, DevIssuer, splitList } from './issuer';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string', default: 'developer' },
      scope: { type: 'string', default: DEFAULT_GRANT.scope },
      caches: { type: 'string', default: DEFAULT_GRANT.caches },
      groups: { type: 'string', default: '' },
      ttl: { type: 'string', default: '3600' },
    },
  });
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error(`--ttl must be a positive number of seconds, not ${values.ttl}`);
  const config = loadDevIssuerConfig();
  const issuer = await DevIssuer.create(config.audience);
  const url = await issuer.listen(config.port);
  const token = await issuer.mint({
    sub: values.sub,
    scopes: splitList(values.scope),
    caches: splitList(values.caches),
    groups: splitList(values.groups),
    ttlSeconds,
  });

  console.log(`Development OIDC issuer at ${url} (keys in memory: its tokens die with it; never use it in production)

Start the gateway against it:
  AUTH_JWT_ISSUER=${url} AUTH_JWT_AUDIENCE=${config.audience} npm start

A token for "${values.sub}" (scope: ${values.scope}; caches: ${values.caches}; ${values.ttl} s):
  ${token}

Call the gateway with it:
  curl -s http://localhost:4000/graphql -H "authorization: Bearer ${token}" -H 'content-type: application/json' -d '{"query":"{ serverlessCaches { nodes { serverlessCacheName } } }"}'

Mint other tokens (scope, caches and groups space- or comma-separated; ttl in seconds; unset = every scope and cache):
  curl -s '${url}/token?sub=alice&scope=snapshots:read&caches=demo-valkey,demo-r*&ttl=600'
`);
  const stop = () => void issuer.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : `The development issuer could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ConfigurationError ? 2 : 1);
});
