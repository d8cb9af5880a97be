/**
 * `npm run dev-issuer`: a development OIDC issuer on loopback, so authentication can be tried
 * without an identity provider. Prints the variables that point the gateway at it and a token;
 * `--sub`, `--scope` and `--caches` choose what that token grants, and `GET /token` mints more.
 */
import { parseArgs } from 'node:util';
import { ConfigurationError, loadDevIssuerConfig } from '../config';
import { DevIssuer } from './issuer';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string', default: 'developer' },
      scope: { type: 'string', default: 'snapshots:read snapshots:write' },
      caches: { type: 'string', default: '*' },
      ttl: { type: 'string', default: '3600' },
    },
  });
  const config = loadDevIssuerConfig();
  const issuer = await DevIssuer.create(config.audience);
  const url = await issuer.listen(config.port);
  const split = (list: string) => list.split(/[ ,]+/).filter((s) => s.length > 0);
  const token = await issuer.mint({ sub: values.sub, scopes: split(values.scope), caches: split(values.caches), ttlSeconds: Number(values.ttl) });

  console.log(`Development OIDC issuer at ${url} (keys in memory: its tokens die with it; never use it in production)

Start the gateway against it:
  AUTH_JWT_ISSUER=${url} AUTH_JWT_AUDIENCE=${config.audience} npm start

A token for "${values.sub}" (scope: ${values.scope}; caches: ${values.caches}; ${values.ttl} s):
  ${token}

Call the gateway with it:
  curl -s http://localhost:4000/graphql -H "authorization: Bearer ${token}" -H 'content-type: application/json' -d '{"query":"{ serverlessCaches { nodes { serverlessCacheName } } }"}'

Mint other tokens (scope and caches space- or comma-separated; ttl in seconds):
  curl -s '${url}/token?sub=alice&scope=snapshots:read&caches=demo-valkey,demo-r*&ttl=600'
`);
  const stop = () => void issuer.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : `The development issuer could not start: ${String(error)}`);
  process.exit(error instanceof ConfigurationError ? 2 : 1);
});
