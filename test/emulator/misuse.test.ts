/** Requests no well-behaved client sends: each gets a clear 4xx, never a crash or a silent success. */
import { adminCall, callCounts, errorCode, rawAws, useEmulator } from './helpers';

const env = useEmulator();

const V = 'Version=2015-02-02';

describe('AWS endpoint', () => {
  it.each([
    ['a JSON body', '{"Action":"DescribeServerlessCaches"}', 'application/json', /must be application\/x-www-form-urlencoded.*got Content-Type application\/json/],
    ['a form body without Content-Type', `Action=DescribeServerlessCaches&${V}`, null, /got no Content-Type/],
    ['a non-UTF-8 charset', `Action=DescribeServerlessCaches&${V}`, 'application/x-www-form-urlencoded; charset=iso-8859-1', /must be UTF-8/],
  ])('rejects %s with 400 UnsupportedMediaType', async (_label, body, contentType, message) => {
    const reply = await rawAws(env.emulator.url, body, { contentType });
    expect([reply.status, errorCode(reply.text)]).toEqual([400, 'UnsupportedMediaType']);
    expect(reply.text).toMatch(message);
    expect(reply.headers.get('x-amzn-requestid')).toBeTruthy();
  });

  it.each([
    ['no Action', V, 400, 'MissingAction'],
    ['an empty body', '', 400, 'MissingAction'],
    ['no Version', 'Action=DescribeServerlessCaches', 400, 'MissingParameter'],
    ['a wrong Version', 'Action=DescribeServerlessCaches&Version=2014-09-30', 400, 'InvalidParameterValue'],
    ['a duplicate parameter', `Action=DescribeServerlessCaches&${V}&MaxResults=1&MaxResults=2`, 400, 'InvalidParameterValue'],
    ['a non-integer MaxResults', `Action=DescribeServerlessCaches&${V}&MaxResults=ten`, 400, 'InvalidParameterValue'],
    ['a control character', `Action=DescribeServerlessCaches&${V}&ServerlessCacheName=a%01b`, 400, 'InvalidParameterValue'],
    ['a non-XML parameter name', `Action=DescribeServerlessCaches&${V}&a%01=b`, 400, 'InvalidParameterValue'],
    ['a non-empty bare Tags', `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=s&ServerlessCacheName=demo-valkey&Tags=a`, 400, 'InvalidParameterValue'],
    ['a zero tag index', `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=s&ServerlessCacheName=demo-valkey&Tags.Tag.0.Key=a`, 400, 'InvalidParameterValue'],
    ['member-style tags', `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=s&ServerlessCacheName=demo-valkey&Tags.member.1.Key=a`, 400, 'InvalidParameterValue'],
    ['an over-long KmsKeyId', `Action=CreateServerlessCacheSnapshot&${V}&ServerlessCacheSnapshotName=s&ServerlessCacheName=demo-valkey&KmsKeyId=${'k'.repeat(2049)}`, 400, 'InvalidParameterValue'],
  ])('answers %s with %i %s', async (_label, body, status, code) => {
    const reply = await rawAws(env.emulator.url, body);
    expect([reply.status, errorCode(reply.text)]).toEqual([status, code]);
  });

  it('does not echo a rejected control character', async () => {
    const reply = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}&ServerlessCacheName=a%01b`);
    expect(reply.text).toContain('The parameter ServerlessCacheName contains characters that are not allowed.');
    expect(reply.text).not.toContain('\u0001');
  });

  it('answers other methods with 405 and other paths with 404', async () => {
    const put = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}`, { method: 'PUT' });
    expect([put.status, errorCode(put.text), put.headers.get('allow')]).toEqual([405, 'MethodNotAllowed', 'POST, GET']);
    const path = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}`, { path: '/elasticache' });
    expect([path.status, errorCode(path.text)]).toEqual([404, 'NotFound']);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const reply = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}&Pad=${'x'.repeat(1024 * 1024)}`);
    expect([reply.status, errorCode(reply.text)]).toEqual([413, 'RequestEntityTooLarge']);
  });

  it('counts requests with an Action even when they are malformed, but not odd Action strings', async () => {
    await rawAws(env.emulator.url, 'Action=DescribeServerlessCaches');
    await rawAws(env.emulator.url, `Action=${encodeURIComponent('<script>')}&${V}`);
    expect(await callCounts(env.emulator.url)).toEqual({ DescribeServerlessCaches: 1 });
  });

  it('does not let a malformed request consume a fault injection', async () => {
    await adminCall(env.emulator.url, 'POST', '/faults', { code: 'Throttling', status: 400 });
    await rawAws(env.emulator.url, 'Action=DescribeServerlessCaches&Version=1999-01-01');
    const reply = await rawAws(env.emulator.url, `Action=DescribeServerlessCaches&${V}`);
    expect(errorCode(reply.text)).toBe('Throttling');
  });
});

describe('admin API', () => {
  it.each([
    ['an unknown field', { code: 'Throttling', status: 400, colour: 'red' }, /Unrecognized key: "colour"/],
    ['an unknown action', { action: 'DeleteEverything', code: 'Throttling', status: 400 }, /action: must be "\*" or one of CreateServerlessCacheSnapshot/],
    ['an unmodeled code without status', { code: 'Throttling' }, /status: required for code Throttling, which is not a modeled ElastiCache fault/],
    ['a non-error status', { code: 'Throttling', status: 200 }, /status: /],
    ['a fractional status', { code: 'Throttling', status: 400.5 }, /status: /],
    ['a code that is not an error code', { code: 'not a code', status: 400 }, /code: must be an error code/],
    ['times of 0', { code: 'Throttling', status: 400, times: 0 }, /times: /],
    ['times as a string', { code: 'Throttling', status: 400, times: '2' }, /times: /],
    ['a negative delay', { delayMs: -1 }, /delayMs: /],
    ['an excessive delay', { delayMs: 10_000_000 }, /delayMs: /],
    ['dropConnection with a code', { dropConnection: true, code: 'Throttling', status: 400 }, /dropConnection: cannot be combined with code/],
    ['status without code', { status: 500 }, /status: only allowed together with code/],
    ['message without code', { delayMs: 1, message: 'x' }, /message: only allowed together with code/],
    ['no effect at all', {}, /give at least one of code, delayMs or dropConnection/],
    ['probability 0', { code: 'Throttling', status: 400, probability: 0 }, /probability: /],
    ['a negative probability', { dropConnection: true, probability: -0.5 }, /probability: /],
    ['probability over 1', { code: 'Throttling', status: 400, probability: 1.01 }, /probability: /],
    ['probability as a string', { code: 'Throttling', status: 400, probability: '0.5' }, /probability: /],
    ['probability as null', { code: 'Throttling', status: 400, probability: null }, /probability: /],
    ['afterOperation alone', { afterOperation: true }, /afterOperation: requires dropConnection or code/],
    ['afterOperation with only a delay', { afterOperation: true, delayMs: 100 }, /afterOperation: requires dropConnection or code/],
    ['afterOperation as a string', { afterOperation: 'true', code: 'Throttling', status: 400 }, /afterOperation: /],
    ['afterOperation with dropConnection and a code', { afterOperation: true, dropConnection: true, code: 'Throttling', status: 400 }, /dropConnection: cannot be combined with code/],
    ['a non-object', [1, 2], /Invalid fault injection/],
    ['invalid JSON', '{"code":', /The request body must be JSON/],
  ])('POST /faults rejects %s with 400 naming the problem', async (_label, body, message) => {
    const reply = await adminCall<{ error: string }>(env.emulator.url, 'POST', '/faults', body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(message);
    expect((await adminCall(env.emulator.url, 'GET', '/faults')).body).toEqual([]);
  });

  it.each([
    ['an unknown status', { status: 'sleeping' }, 400, /status: /],
    ['a missing status', {}, 400, /status: /],
    ['an extra field', { status: 'available', why: 'x' }, 400, /Unrecognized key: "why"/],
  ])('PUT /caches/:name/status rejects %s', async (_label, body, status, message) => {
    const reply = await adminCall<{ error: string }>(env.emulator.url, 'PUT', '/caches/demo-valkey/status', body);
    expect(reply.status).toBe(status);
    expect(reply.body.error).toMatch(message);
  });

  it('answers unknown admin paths with 404 and wrong methods with 405', async () => {
    expect((await adminCall(env.emulator.url, 'GET', '/nothing')).status).toBe(404);
    expect((await adminCall(env.emulator.url, 'GET', '/snapshots/ghost')).status).toBe(404);
    const wrong = await fetch(`${env.emulator.url}/_emulator/reset`);
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await adminCall(env.emulator.url, 'PATCH', '/faults')).status).toBe(405);
    expect((await adminCall(env.emulator.url, 'GET', '/caches/%E0%A4%A/status')).status).toBe(405);
    expect((await adminCall(env.emulator.url, 'PUT', '/caches/%E0%A4%A/status', { status: 'available' })).status).toBe(400);
  });

  it('refuses an admin body over 64 KiB with 413', async () => {
    const reply = await adminCall(env.emulator.url, 'POST', '/faults', { message: 'x'.repeat(70 * 1024) });
    expect(reply.status).toBe(413);
  });

  it('keeps the admin API out of reach of AWS requests', async () => {
    const reply = await rawAws(env.emulator.url, 'Action=DescribeServerlessCaches&Version=2015-02-02', { path: '/_emulator/reset' });
    expect(reply.headers.get('content-type')).toMatch(/application\/json/);
    expect((await callCounts(env.emulator.url)).DescribeServerlessCaches).toBeUndefined();
  });
});
