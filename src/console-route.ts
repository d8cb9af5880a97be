/**
 * The reference console (console/, built by Vite into console/dist) at /console: a handful of
 * static files read once at start-up and served from memory. They are public (the console holds no
 * secret); every GraphQL call it makes goes through /graphql with the user's credentials. The
 * Content-Security-Policy lets the page load and connect to its own origin only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from './logger';

export const CONSOLE_PATH = '/console';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

/** console/dist from src/ (tsx) and from dist/src/ (the build). */
export function consoleDirectory(): string | undefined {
  return [resolve(__dirname, '..', 'console', 'dist'), resolve(__dirname, '..', '..', 'console', 'dist')].find((dir) =>
    existsSync(join(dir, 'index.html')),
  );
}

function readAll(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(root, path).split(sep).join('/'), { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream' });
    }
  };
  walk(root);
  return files;
}

/** `connect-src` names the WebSocket origin too: older browsers do not count ws:// as 'self'. */
function contentSecurityPolicy(host: string | undefined): string {
  const origin = host !== undefined && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    `connect-src 'self'${origin}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Registers GET /console, /console/ and /console/<file>. Returns false (and logs why) when the
 * console has not been built: the gateway serves GraphQL regardless.
 */
export function registerConsoleRoutes(app: FastifyInstance, logger: Logger, directory = consoleDirectory()): boolean {
  if (directory === undefined) {
    logger.warn('the console is enabled (CONSOLE_ENABLED) but not built: run `npm run build` (or `npm start`) to serve it at /console');
    return false;
  }
  const files = readAll(directory);
  const send = (request: FastifyRequest, reply: FastifyReply, name: string) => {
    const file = files.get(name);
    if (file === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    // Vite names assets by content hash: they never change under the same name.
    const cacheControl = name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return reply
      .header('content-security-policy', contentSecurityPolicy(request.headers.host))
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', cacheControl)
      .type(file.type)
      .send(file.body);
  };
  app.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`));
  app.get(`${CONSOLE_PATH}/`, (request, reply) => send(request, reply, 'index.html'));
  app.get<{ Params: { '*': string } }>(`${CONSOLE_PATH}/*`, (request, reply) => send(request, reply, request.params['*']));
  logger.info({ path: `${CONSOLE_PATH}/`, files: files.size }, 'serving the reference console');
  return true;
}
