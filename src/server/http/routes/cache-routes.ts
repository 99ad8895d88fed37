import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { invalid } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { PROJECT_PARAM } from '../../projects/project-fields.js';
import { defineRoute, parseInput } from '../define-route.js';
import { requireRole } from '../principal.js';
import { callingAgent } from './agent-routes.js';

const leaseParams = z.object({ lease: z.string().min(1).max(100) });
/** A cache as the agent names it: its key, and the directories (JSON array) the archive holds. */
const cacheQuery = z.object({
  key: z.string().min(1).max(512),
  paths: z
    .string()
    .max(8192)
    .transform((text, c) => {
      try {
        const paths = z.array(z.string().min(1).max(1024)).min(1).max(64).parse(JSON.parse(text));
        return paths;
      } catch {
        c.addIssue({ code: 'custom', message: 'a JSON array of absolute paths, e.g. ["/w/node_modules"]' });
        return z.NEVER;
      }
    }),
});

const CacheJson = z.object({
  key: z.string(),
  paths: z.array(z.string()),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: z.number().int(),
  lastUsedAt: z.number().int(),
  where: z.literal('server'),
});
const CachesJson = z.object({
  caches: z.array(CacheJson),
  /** The store's limits, for the Settings page. */
  limits: z.object({ maxBytes: z.number(), totalBytes: z.number(), maxAgeMs: z.number() }),
});
const CacheKeyParams = PROJECT_PARAM.extend({ key: z.string().min(1).max(512) });

/**
 * The server's cache store over HTTP: agents download and upload archives for their lease's
 * project (streamed both ways, uploads capped while they stream), and users list and clear a
 * project's caches (Settings → Caches, `slipway caches`).
 */
export function registerCacheRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const archive = '/api/agent/leases/:lease/caches/archive';
  ctx.routes.routes.push(
    {
      method: 'GET',
      url: archive,
      summary: "A cache archive of the lease's project (tar; 204 when the store has none)",
      tags: ['agent protocol'],
      status: 200,
      auth: false,
      params: leaseParams,
      query: cacheQuery,
    },
    {
      method: 'PUT',
      url: archive,
      summary:
        "Store a cache archive for the lease's project (tar body, streamed; 413 past SLIPWAY_CACHE_MAX_BYTES)",
      tags: ['agent protocol'],
      status: 204,
      auth: false,
      params: leaseParams,
      query: cacheQuery,
    },
  );
  // An encapsulated scope: the raw-stream tar parser applies to these routes only, and
  // Fastify's 1 MiB body limit does not (the store caps the stream itself).
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-tar', (_req, payload, done) => done(null, payload));
    scope.get(archive, async (req, reply) => {
      const agent = await callingAgent(ctx, req);
      const { lease } = parseInput(leaseParams, req.params, 'params');
      const cache = parseInput(cacheQuery, req.query, 'query');
      const found = await ctx.caches.download(agent.id, lease, cache);
      if (!found) return reply.code(204).send();
      return reply
        .type('application/x-tar')
        .header('content-length', String(found.entry.size))
        .header('x-content-type-options', 'nosniff')
        .send(found.open());
    });
    scope.put(archive, async (req, reply) => {
      const agent = await callingAgent(ctx, req);
      const { lease } = parseInput(leaseParams, req.params, 'params');
      const cache = parseInput(cacheQuery, req.query, 'query');
      if (!req.headers['content-type']?.startsWith('application/x-tar'))
        throw invalid('headers.content-type', 'send the cache as application/x-tar');
      const length = Number(req.headers['content-length']);
      await ctx.caches.upload(
        agent.id,
        lease,
        cache,
        req.body as NodeJS.ReadableStream as import('node:stream').Readable,
        Number.isFinite(length) ? length : null,
      );
      return reply.code(204).send();
    });
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/caches',
    summary:
      "The project's caches in the server's cache store (key, size, last use), most recently used first",
    tags: ['caches'],
    params: PROJECT_PARAM,
    response: CachesJson,
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const caches = await ctx.caches.store.list(project.id);
      return {
        caches: caches.map((c) => ({ ...c, where: 'server' as const })),
        limits: {
          maxBytes: ctx.config.cacheMaxBytes,
          totalBytes: ctx.config.cacheTotalBytes,
          maxAgeMs: ctx.config.cacheMaxAgeMs,
        },
      };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project/caches',
    summary: "Remove every cache of the project from the server's cache store",
    tags: ['caches'],
    params: PROJECT_PARAM,
    response: z.object({ removed: z.number().int() }),
    handler: async ({ params }, req) => {
      requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      return { removed: await ctx.caches.store.clear(project.id) };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project/caches/:key',
    summary: "Remove one cache (by key, URL-encoded) from the server's cache store",
    tags: ['caches'],
    params: CacheKeyParams,
    response: z.object({ removed: z.number().int() }),
    handler: async ({ params }, req) => {
      requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      return { removed: await ctx.caches.store.clear(project.id, params.key) };
    },
  });
}
