import { existsSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The built UI (`npm run build:web` → web/dist), found from this file: src/server/http/routes. */
export const DEFAULT_WEB_DIST = resolve(import.meta.dirname, '..', '..', '..', '..', 'web', 'dist');

/** Paths that belong to the API and other machine endpoints: never answered with the UI. */
const NOT_UI = ['/api/', '/git/', '/badge/', '/healthz', '/metrics'];

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Serves the web UI. Hashed files under /assets/ never change, so they are cached for a year;
 * index.html is revalidated every time so a new build is picked up at once. Every other GET of
 * a non-API path answers index.html, so client routes (/projects/x/runs/3) deep-link. Unknown
 * API paths keep their JSON 404. Without a build, UI paths answer a 503 page that says how to
 * make one (the API works regardless). Registered last, so every real route wins.
 */
export function registerWebRoutes(app: FastifyInstance, opts: { distDir?: string } = {}): void {
  const distDir = resolve(opts.distDir ?? DEFAULT_WEB_DIST);
  const indexFile = resolve(distDir, 'index.html');

  // An encapsulated scope, so `reply.sendFile` stays ours and cannot clash with another plugin.
  app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: distDir,
      serve: false,
      suppressWarning: true,
      dotfiles: 'deny',
      index: false,
      // The build writes .br/.gz next to each script and stylesheet (web/vite.config.ts): sent
      // when the browser accepts them (a third of the bytes), the plain file otherwise.
      preCompressed: true,
    });

    scope.get('/*', async (req, reply) => {
      const path = decodePath(req.url.split('?')[0] ?? '/');
      if (path === null || NOT_UI.some((p) => path.startsWith(p) || `${path}/` === p)) {
        return reply.callNotFound();
      }
      if (!existsSync(indexFile)) return missingBuild(reply);

      if (path.startsWith('/assets/')) {
        return reply.sendFile(path.slice(1), { maxAge: YEAR_SECONDS * 1000, immutable: true });
      }
      // Other files the build put at the top (favicon, robots.txt…): short cache.
      const file = resolve(distDir, `.${path}`);
      if (extname(path) !== '' && file.startsWith(distDir + sep) && isFile(file)) {
        return reply.sendFile(path.slice(1), { maxAge: 3600 * 1000 });
      }
      // A client route: the app decides what to show (including its own "not found").
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', { cacheControl: false });
    });
  });
}

function decodePath(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function missingBuild(reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Slipway: web UI not built</title></head>' +
        '<body><h1>The Slipway web UI has not been built</h1>' +
        '<p>Run <code>npm run build:web</code> in the Slipway directory, then reload this page. ' +
        'The API under <code>/api/</code> works without it.</p></body></html>',
    );
}
