/**
 * The request id: the caller's `x-request-id` when it is a sane token, so one id follows a request
 * through the caller's logs and ours; otherwise a new UUID. Only echoed back on the response.
 */
import { randomUUID } from 'node:crypto';

/** Letters, digits and `-_.:`, 1 to 128 of them: UUIDs, ULIDs and most tracing ids fit; nothing a log could misread. */
const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE.test(header) ? header : randomUUID();
}
