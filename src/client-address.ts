/**
 * The client's address, the same way for every door (HTTP requests and WebSocket upgrades): the
 * peer's address, or the one `X-Forwarded-For` names when the peer is a proxy that
 * `TRUSTED_PROXIES` names. Anyone else's `X-Forwarded-For` is ignored: a client could write
 * anything there, and per-address limits would be theirs to reset.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';

export type ClientAddress = (request: IncomingMessage) => string;

export function clientAddressOf(trustedProxies: readonly string[]): ClientAddress {
  const trust = proxyaddr.compile([...trustedProxies]);
  return (request) => proxyaddr(request, trust);
}
