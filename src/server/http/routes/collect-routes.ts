import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  acceptedSchema,
  collectEventSchema,
  feedbackSchema,
  SITE_KEY,
} from '../../collect/collect-schemas.js';
import type { CollectClient, CollectService } from '../../collect/collect-service.js';
import type { ServerContext } from '../../context.js';
import { AppError, notFound } from '../../errors.js';
import { defineRoute } from '../define-route.js';

/**
 * The page script, a hand-written asset next to the collect service: src/server/collect/assets/
 * when the sources run, dist/server/collect/assets/ (copied by scripts/build.mjs) when the build
 * runs — the image ships dist/ only.
 */
export const COLLECT_SCRIPT = resolve(import.meta.dirname, '..', '..', 'collect', 'assets', 's.js');
/** Largest body the endpoint reads: a page view is a few hundred bytes. */
export const COLLECT_MAX_BYTES = 8 * 1024;

/**
 * The public side of user behaviour (issue #13): `/s.js`, `POST /api/collect`,
 * `POST /api/collect/feedback` and the site's public widget settings. No sign-in and no cookies:
 * a site key names the application, and only declared origins may send (CORS). Beacons send
 * `text/plain`, so that content type is read as JSON here (and only here); bodies are capped.
 */
export function registerCollectRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  collect: CollectService,
): void {
  const script = readFileSync(COLLECT_SCRIPT);
  const etag = `"${createHash('sha256').update(script).digest('base64url').slice(0, 16)}"`;
  app.get('/s.js', async (req, reply) => {
    reply.header('cache-control', 'public, max-age=3600');
    reply.header('etag', etag);
    reply.header('cross-origin-resource-policy', 'cross-origin');
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(script);
  });

  app.register(async (scope) => {
    scope.removeContentTypeParser(['text/plain', 'application/json']);
    scope.addContentTypeParser(
      ['text/plain', 'application/json'],
      { parseAs: 'string', bodyLimit: COLLECT_MAX_BYTES },
      (_req, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch {
          done(new AppError('invalid', 'body: not JSON', 'body'), undefined);
        }
      },
    );
    scope.setErrorHandler((error: Error & { statusCode?: number }) => {
      if (error.statusCode === 413) {
        throw new AppError('too_large', `body: larger than ${COLLECT_MAX_BYTES} bytes`, 'body');
      }
      throw error;
    });

    const tags = ['behaviour'];
    for (const path of ['/api/collect', '/api/collect/feedback']) {
      scope.options(path, async (req, reply) => {
        const origin = req.headers.origin;
        if (!(await collect.preflightAllowed(origin))) {
          return reply.code(403).send({
            error: { code: 'forbidden', message: `origin ${origin ?? '(none)'} is not declared by any site` },
          });
        }
        allowOrigin(reply, origin as string);
        reply.header('access-control-allow-methods', 'POST');
        reply.header('access-control-allow-headers', 'content-type');
        reply.header('access-control-max-age', '600');
        return reply.code(204).send();
      });
    }

    defineRoute(scope, ctx.routes, {
      method: 'POST',
      url: '/api/collect',
      summary:
        'Public: one page view, custom event or client error from the page script (site key, declared origin; text/plain or JSON, ≤ 8 KB). 202 when queued; stored:false for bots',
      tags,
      auth: false,
      body: collectEventSchema,
      response: acceptedSchema,
      status: 202,
      handler: async ({ body }, req, reply) => {
        const client = clientOf(req);
        const stored = await collect.acceptEvent(body, client);
        allowOrigin(reply, client.origin as string);
        return { stored };
      },
    });

    defineRoute(scope, ctx.routes, {
      method: 'POST',
      url: '/api/collect/feedback',
      summary:
        'Public: one message from the feedback widget (message, rating 1–5, optional contact, page), stored with the serving release; spam limits per visitor',
      tags,
      auth: false,
      body: feedbackSchema,
      response: acceptedSchema,
      status: 202,
      handler: async ({ body }, req, reply) => {
        const client = clientOf(req);
        const stored = await collect.acceptFeedback(body, client);
        allowOrigin(reply, client.origin as string);
        return { stored };
      },
    });

    defineRoute(scope, ctx.routes, {
      method: 'GET',
      url: '/api/collect/sites/:key',
      summary: 'Public: what the page script needs to know about its site (is the feedback widget on)',
      tags,
      auth: false,
      params: z.object({ key: SITE_KEY }),
      response: z.object({ feedback: z.boolean() }),
      handler: async ({ params }, _req, reply) => {
        const site = await collect.sites.find(params.key);
        if (!site) throw notFound('site');
        reply.header('access-control-allow-origin', '*');
        reply.header('cache-control', 'public, max-age=300');
        return { feedback: site.feedbackEnabled };
      },
    });
  });
}

function clientOf(req: FastifyRequest): CollectClient {
  return { origin: req.headers.origin, address: req.ip, userAgent: req.headers['user-agent'] };
}

function allowOrigin(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('vary', 'Origin');
}
