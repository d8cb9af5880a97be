/**
 * What a caller presented, read the same way from an HTTP request's headers and from a WebSocket's
 * `connection_init` payload, so both doors hand the authenticator the same thing.
 */

export interface PresentedCredentials {
  /** Every `Authorization` value, as sent (a header may be repeated, and Node keeps only one). */
  authorization: string[];
  /** Every `x-api-key` value, as sent. */
  apiKey: string[];
}

const AUTHORIZATION = 'authorization';
const API_KEY = 'x-api-key';

/** From Node's raw header list (`IncomingMessage.rawHeaders`: name, value, name, value, ...). */
export function credentialsFromRawHeaders(rawHeaders: readonly string[]): PresentedCredentials {
  const presented: PresentedCredentials = { authorization: [], apiKey: [] };
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name === AUTHORIZATION) presented.authorization.push(rawHeaders[i + 1]!);
    else if (name === API_KEY) presented.apiKey.push(rawHeaders[i + 1]!);
  }
  return presented;
}

/**
 * From `connection_init`'s payload: `{ "authorization": "Bearer …" }` or `{ "x-api-key": "…" }`,
 * names in any case (clients write `Authorization` as often as `authorization`). A value that is
 * not a string is kept as an empty one, which no authenticator accepts.
 */
export function credentialsFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): PresentedCredentials {
  const presented: PresentedCredentials = { authorization: [], apiKey: [] };
  for (const [name, value] of Object.entries(params ?? {})) {
    const text = typeof value === 'string' ? value : '';
    if (name.toLowerCase() === AUTHORIZATION) presented.authorization.push(text);
    else if (name.toLowerCase() === API_KEY) presented.apiKey.push(text);
  }
  return presented;
}

/** RFC 6750's `b64token` after the scheme, which RFC 9110 makes case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of a `Bearer` authorization value, or undefined for any other scheme or shape. */
export function bearerToken(authorization: string): string | undefined {
  return BEARER.exec(authorization)?.[1];
}
