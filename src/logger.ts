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
