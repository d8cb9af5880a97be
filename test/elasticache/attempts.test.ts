/**
 * Each failed attempt's fate decides whether AWS may have created something, and whether a
 * describe that finds nothing proves it did not. Errors are shaped as the SDK and its Node HTTP
 * handler raise them.
 */
import { attemptFate, mayHaveReachedAws, mayStillBeRunning } from '../../src/elasticache/attempts';
import { retryAfterSeconds } from '../../src/elasticache/data-source';

const answered = (status: number) => Object.assign(new Error('x'), { name: 'Whatever', $metadata: { httpStatusCode: status } });
const network = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });

it.each([
  ['a 4xx answer (throttling, a fault)', answered(400), 'refused'],
  ['a 5xx answer', answered(503), 'server-error'],
  ['a 200 whose body was cut off (the deserializer stamps the status on its error)', answered(200), 'dropped'],
  ['a refused connection', network('ECONNREFUSED'), 'not-sent'],
  ['an unresolvable host', network('ENOTFOUND'), 'not-sent'],
  [
    'no connection within connectionTimeout',
    Object.assign(new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 1000 ms.'), { name: 'TimeoutError' }),
    'not-sent',
  ],
  ['a reset connection (the handler renames it TimeoutError)', network('ECONNRESET', 'TimeoutError'), 'dropped'],
  ['a request timeout', network('ETIMEDOUT', 'TimeoutError'), 'cut'],
  ["the call's deadline", Object.assign(new Error('aborted'), { name: 'AbortError' }), 'cut'],
  ['anything unrecognised', new TypeError('?'), 'cut'],
])('%s: %s', (_, error, fate) => {
  expect(attemptFate(error)).toBe(fate);
});

it('only answers of 5xx, drops and cuts may have reached AWS; only cuts may still be running', () => {
  expect(mayHaveReachedAws(['not-sent', 'refused'])).toBe(false);
  expect(mayHaveReachedAws(['dropped', 'refused'])).toBe(true);
  expect(mayHaveReachedAws(['server-error'])).toBe(true);
  expect(mayStillBeRunning(['dropped', 'server-error'])).toBe(false);
  expect(mayStillBeRunning(['refused', 'cut'])).toBe(true);
});

it("AWS's Retry-After in seconds becomes the hint; anything else gives none", () => {
  const withHeader = (value: string) => Object.assign(new Error('x'), { $response: { headers: { 'Retry-After': value } } });
  expect(retryAfterSeconds(withHeader('7'))).toBe(7);
  expect(retryAfterSeconds(withHeader('Wed, 21 Oct 2026 07:28:00 GMT'))).toBeUndefined();
  expect(retryAfterSeconds(new Error('no response'))).toBeUndefined();
});
