/**
 * Which browser origins may open a WebSocket to the gateway. Browsers apply CORS to HTTP requests
 * but not to WebSockets: without this check, any web page a user visits could open a socket to the
 * gateway and run operations (cross-site WebSocket hijacking). Allowed: the gateway's own origin,
 * the origins `CORS_ORIGINS` names (or all, with `*`), and requests without an `Origin` header,
 * which do not come from a browser.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, corsOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (corsOrigins.includes('*') || corsOrigins.includes(origin)) return true;
  // The gateway's own origin: the scheme may differ behind a TLS-terminating proxy, the host may not.
  return host !== undefined && URL.canParse(origin) && new URL(origin).host === host.toLowerCase();
}
