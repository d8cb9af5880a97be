/** Unit tests of FaultInjector and its request schema: probability, `times`, FIFO, afterOperation. */
import { faultInjectionSchema, FaultInjector, type FaultInjectionRequest } from '../../src/emulator/injections';
import { describeIssues } from '../../src/emulator/zod-issues';

const ACTIONS = ['CreateServerlessCacheSnapshot', 'DescribeServerlessCacheSnapshots', 'DescribeServerlessCaches'];
const schema = faultInjectionSchema(ACTIONS);

function request(body: Record<string, unknown>): FaultInjectionRequest {
  return schema.parse(body);
}

/** A random source that answers the given values in order and fails the test on any extra draw. */
function scripted(...values: number[]): () => number {
  return () => {
    const next = values.shift();
    if (next === undefined) throw new Error('unexpected draw from the random source');
    return next;
  };
}

function problems(body: unknown): string | undefined {
  const result = schema.safeParse(body);
  return result.success ? undefined : describeIssues(result.error);
}

describe('faultInjectionSchema', () => {
  it('defaults probability to 1 and afterOperation to false', () => {
    expect(request({ code: 'Throttling', status: 400 })).toMatchObject({ probability: 1, afterOperation: false });
  });

  it.each([
    [{ code: 'Throttling', status: 400, probability: 0.05 }],
    [{ code: 'Throttling', status: 400, probability: 1 }],
    [{ dropConnection: true, probability: Number.MIN_VALUE }],
    [{ dropConnection: true, afterOperation: true }],
    [{ code: 'ServiceUnavailable', status: 503, afterOperation: true, delayMs: 10 }],
    [{ code: 'ServerlessCacheNotFoundFault', afterOperation: false }],
    [{ delayMs: 5, afterOperation: false }],
    [{ code: 'Throttling', status: 400, retryAfterSeconds: 3 }],
  ])('accepts %j', (body) => {
    expect(problems(body)).toBeUndefined();
  });

  it.each([
    ['probability 0', { code: 'Throttling', status: 400, probability: 0 }, /^probability: Too small/],
    ['a negative probability', { dropConnection: true, probability: -1 }, /^probability: Too small/],
    ['probability over 1', { code: 'Throttling', status: 400, probability: 1.5 }, /^probability: Too big/],
    ['probability as a string', { code: 'Throttling', status: 400, probability: '0.5' }, /^probability: .*expected number/],
    ['probability NaN', { code: 'Throttling', status: 400, probability: NaN }, /^probability: /],
    ['probability Infinity', { code: 'Throttling', status: 400, probability: Infinity }, /^probability: /],
    ['afterOperation alone', { afterOperation: true }, /afterOperation: requires dropConnection or code/],
    ['afterOperation with only a delay', { afterOperation: true, delayMs: 10 }, /^afterOperation: requires dropConnection or code/],
    ['a Retry-After without an error to carry it', { delayMs: 5, retryAfterSeconds: 3 }, /^retryAfterSeconds: only allowed together with code/],
    ['a negative Retry-After', { code: 'Throttling', status: 400, retryAfterSeconds: -1 }, /^retryAfterSeconds: Too small/],
    ['afterOperation as a number', { afterOperation: 1, dropConnection: true }, /^afterOperation: .*expected boolean/],
  ])('refuses %s, naming the field', (_label, body, message) => {
    expect(problems(body)).toMatch(message);
  });
});

describe('FaultInjector', () => {
  it('reports probability and afterOperation in what it adds and lists', () => {
    const injector = new FaultInjector({ random: scripted() });
    const added = injector.add(request({ action: 'CreateServerlessCacheSnapshot', dropConnection: true, afterOperation: true, probability: 0.25 }));
    expect(added).toEqual({
      id: '1',
      action: 'CreateServerlessCacheSnapshot',
      times: 1,
      remaining: 1,
      delayMs: 0,
      dropConnection: true,
      probability: 0.25,
      afterOperation: true,
    });
    expect(injector.list()).toEqual([added]);
  });

  it('applies an injection when the draw is below its probability and skips it otherwise', () => {
    const injector = new FaultInjector({ random: scripted(0.5, 0.25, 0.2499) });
    injector.add(request({ code: 'Throttling', status: 400, probability: 0.25 }));
    expect(injector.take('DescribeServerlessCaches')).toBeUndefined();
    // A draw equal to p is a miss: Math.random is in [0, 1), so `draw < p` happens with chance p.
    expect(injector.take('DescribeServerlessCaches')).toBeUndefined();
    expect(injector.take('DescribeServerlessCaches')).toMatchObject({ id: '1', remaining: 0, fault: { code: 'Throttling' } });
    expect(injector.list()).toEqual([]);
  });

  it('counts `times` only on requests the injection was applied to', () => {
    const injector = new FaultInjector({ random: scripted(0.9, 0.9, 0.1, 0.9, 0.9, 0.9, 0.1, 0.5) });
    injector.add(request({ code: 'ServiceUnavailable', status: 503, times: 2, probability: 0.2 }));
    const outcomes = Array.from({ length: 7 }, () => injector.take('CreateServerlessCacheSnapshot')?.remaining);
    expect(outcomes).toEqual([undefined, undefined, 1, undefined, undefined, undefined, 0]);
    expect(injector.list()).toEqual([]);
    // Used up: nothing is left to draw for.
    expect(injector.take('CreateServerlessCacheSnapshot')).toBeUndefined();
  });

  it('keeps a skipped injection pending with all its uses', () => {
    const injector = new FaultInjector({ random: scripted(0.99, 0.99, 0.99) });
    injector.add(request({ dropConnection: true, times: 5, probability: 0.2 }));
    for (let i = 0; i < 3; i++) expect(injector.take('DescribeServerlessCaches')).toBeUndefined();
    expect(injector.list()).toMatchObject([{ id: '1', times: 5, remaining: 5 }]);
  });

  it('gives matching injections their chance oldest first; the first that applies wins and the others keep their uses', () => {
    // Four kinds of failure at 5 % each, as a chaos test queues them.
    const injector = new FaultInjector({ random: scripted(0.5, 0.03, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.04, 0.01) });
    injector.add(request({ code: 'ServiceUnavailable', status: 503, probability: 0.05, times: 10 }));
    injector.add(request({ code: 'Throttling', status: 400, probability: 0.05, times: 10 }));
    injector.add(request({ dropConnection: true, probability: 0.05, times: 10 }));
    injector.add(request({ dropConnection: true, afterOperation: true, probability: 0.05, times: 10 }));

    // 503 misses (0.5), Throttling hits (0.03): the later two are not even drawn for.
    expect(injector.take('CreateServerlessCacheSnapshot')).toMatchObject({ id: '2', remaining: 9 });
    // All four miss.
    expect(injector.take('CreateServerlessCacheSnapshot')).toBeUndefined();
    // 503 and Throttling miss (0.9), the pre-operation drop hits (0.04).
    expect(injector.take('CreateServerlessCacheSnapshot')).toMatchObject({ id: '3', dropConnection: true, afterOperation: false });
    // The oldest gets the first draw again (0.01) and hits.
    expect(injector.take('CreateServerlessCacheSnapshot')).toMatchObject({ id: '1', fault: { status: 503 } });
    expect(injector.list().map((i) => [i.id, i.remaining])).toEqual([
      ['1', 9],
      ['2', 9],
      ['3', 9],
      ['4', 10],
    ]);
  });

  it('applies the oldest of several certain injections and leaves the rest untouched', () => {
    const injector = new FaultInjector({ random: scripted() });
    injector.add(request({ code: 'Throttling', status: 400 }));
    injector.add(request({ dropConnection: true, afterOperation: true, times: 3 }));
    expect(injector.take('DescribeServerlessCaches')).toMatchObject({ id: '1' });
    expect(injector.take('DescribeServerlessCaches')).toMatchObject({ id: '2', remaining: 2, afterOperation: true });
    expect(injector.list()).toMatchObject([{ id: '2', remaining: 2 }]);
  });

  it('draws only for injections that match the action, and never for a certain one', () => {
    const injector = new FaultInjector({ random: scripted(0.1) });
    injector.add(request({ action: 'CreateServerlessCacheSnapshot', code: 'Throttling', status: 400, probability: 0.5 }));
    injector.add(request({ action: 'DescribeServerlessCaches', code: 'AccessDenied', status: 403 }));
    // The create-only injection is not drawn for (scripted() would have no value left for a second draw).
    expect(injector.take('DescribeServerlessCaches')).toMatchObject({ id: '2' });
    expect(injector.take('CreateServerlessCacheSnapshot')).toMatchObject({ id: '1' });
    expect(injector.take('DescribeServerlessCacheSnapshots')).toBeUndefined();
  });

  it('uses Math.random when no random source is given', () => {
    const spy = jest.spyOn(Math, 'random');
    try {
      const injector = new FaultInjector();
      injector.add(request({ code: 'Throttling', status: 400, probability: 0.5 }));
      spy.mockReturnValue(0.75);
      expect(injector.take('DescribeServerlessCaches')).toBeUndefined();
      spy.mockReturnValue(0.25);
      expect(injector.take('DescribeServerlessCaches')).toMatchObject({ id: '1' });
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('returns copies, so a caller cannot change what is queued', () => {
    const injector = new FaultInjector({ random: scripted() });
    const added = injector.add(request({ code: 'Throttling', status: 400, times: 2 }));
    added.probability = 0.000001;
    const taken = injector.take('DescribeServerlessCaches');
    if (taken === undefined) throw new Error('expected the injection to apply');
    taken.remaining = 99;
    expect(injector.list()).toMatchObject([{ probability: 1, remaining: 1 }]);
  });
});
