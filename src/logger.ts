import pino from 'pino';
import type { LogLevel } from './config';

export type Logger = pino.Logger;

/**
 * The process's root logger. JSON lines on stdout, as log collectors expect; modules take a child
 * logger (`logger.child({ component })`) so every line says where it came from.
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    // Credentials must never reach a log line, whatever object a caller hands in.
    redact: { paths: ['*.authorization', '*.headers.authorization', 'credentials', '*.credentials'], remove: true },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
const noop = () => undefined;

/**
 * `parent.child(bindings)`, made only when something is written through it at an enabled level (or
 * anything else is asked of it). pino serialises and redacts a child's bindings when the child is
 * made, about 7 µs: every request has its logger, and most write nothing at `LOG_LEVEL=warn`.
 */
export function lazyChild(parent: Logger, bindings: pino.Bindings): Logger {
  let child: Logger | undefined;
  const made = (): Logger => (child ??= parent.child(bindings));
  const isLevelEnabled = (level: string) => parent.isLevelEnabled(level);
  return new Proxy(parent, {
    get(_target, property) {
      if (child === undefined) {
        if (property === 'isLevelEnabled') return isLevelEnabled;
        if (typeof property === 'string' && (property === 'child' || LEVELS.has(property))) {
          // A disabled level writes nothing: no child is needed for it. An enabled one, or a child
          // of this logger, makes the child when called, not when looked at (Fastify looks at each
          // method of every request's logger to check it is one).
          if (property !== 'child' && !parent.isLevelEnabled(property)) return noop;
          return (...args: unknown[]) => (made() as unknown as Record<string, (...a: unknown[]) => unknown>)[property]!(...args);
        }
      }
      const real = made();
      const value: unknown = Reflect.get(real, property, real);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
    // Everything else is the child's too: nothing set through a request's logger reaches the root.
    set: (_target, property, value) => Reflect.set(made(), property, value),
    has: (_target, property) => Reflect.has(made(), property),
    defineProperty: (_target, property, descriptor) => Reflect.defineProperty(made(), property, descriptor),
  });
}
