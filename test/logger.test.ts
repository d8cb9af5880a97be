/** The request logger made on its first line (src/logger.ts `lazyChild`). */
import { createLogger, lazyChild } from '../src/logger';

function capture(level: 'warn' | 'info') {
  const lines: Record<string, unknown>[] = [];
  const root = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { root, lines };
}

describe('lazyChild', () => {
  it('writes every line with its bindings, its own children included', () => {
    const { root, lines } = capture('info');
    const logger = lazyChild(root, { requestId: 'r-1' });
    logger.info({ a: 1 }, 'first');
    logger.child({ component: 'x' }).warn('second');
    expect(lines).toEqual([
      expect.objectContaining({ requestId: 'r-1', a: 1, msg: 'first' }),
      expect.objectContaining({ requestId: 'r-1', component: 'x', msg: 'second' }),
    ]);
  });

  it('makes no child for a level that writes nothing, and answers isLevelEnabled as its parent', () => {
    const { root, lines } = capture('warn');
    const child = jest.spyOn(root, 'child');
    const logger = lazyChild(root, { requestId: 'r-2' });
    logger.info('not written');
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(logger.isLevelEnabled('warn')).toBe(true);
    expect(child).not.toHaveBeenCalled();
    logger.error('written');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([expect.objectContaining({ requestId: 'r-2', msg: 'written' })]);
  });

  it('makes no child when its methods are only looked at (as Fastify checks every request logger), and one when one is called', () => {
    const { root, lines } = capture('info');
    const child = jest.spyOn(root, 'child');
    const logger = lazyChild(root, { requestId: 'r-4' });
    for (const method of ['info', 'error', 'debug', 'fatal', 'warn', 'trace', 'child'] as const) expect(typeof logger[method]).toBe('function');
    expect(child).not.toHaveBeenCalled();
    const warn = logger.warn;
    warn.call(undefined, 'called without its object');
    logger.child({ component: 'y' }).info('from a child');
    // pino's children inherit `child` from the root: the second call is the request logger's own child.
    expect(child.mock.calls.map(([bindings]) => bindings)).toEqual([{ requestId: 'r-4' }, { component: 'y' }]);
    expect(lines).toEqual([
      expect.objectContaining({ requestId: 'r-4', msg: 'called without its object' }),
      expect.objectContaining({ requestId: 'r-4', component: 'y', msg: 'from a child' }),
    ]);
  });

  it('keeps what is set on a request logger off the root logger', () => {
    const { root } = capture('info');
    const logger = lazyChild(root, { requestId: 'r-3' }) as unknown as Record<string, unknown>;
    logger.marker = 'request';
    expect((root as unknown as Record<string, unknown>).marker).toBeUndefined();
    expect(logger.marker).toBe('request');
  });
});
