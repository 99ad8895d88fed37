import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { collectMetrics } from '../../metrics/collect-metrics.js';
import { CachedDatabaseProbe } from '../../store/database-health.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

const check = z.enum(['ok', 'failed', 'skipped']);
const healthSchema = z.object({
  status: z.enum(['ok', 'error']),
  db: z.enum(['ok', 'unavailable']),
  /** Which check failed: reading, or committing a one-row write (a full or read-only disk). */
  checks: z.object({ database_read: check, database_write: check }),
  error: z.object({ code: z.literal('database_unavailable'), message: z.string() }).optional(),
});

/** Health for load balancers (can the database be read and written?) and Prometheus metrics. */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Per server, not per module: each server probes its own database.
  const probe = new CachedDatabaseProbe();
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/healthz',
    summary: 'Health: 200 when the database can be read and written, 503 naming the check that failed',
    tags: ['system'],
    auth: false,
    response: healthSchema,
    handler: async (_input, req, reply) => {
      // ctx.db is read per call: the probe follows the database the routes use.
      const health = await probe.check(ctx.db, ctx.now());
      if (health.ok) return { status: 'ok', db: 'ok', checks: health.checks };
      req.log.warn({ checks: health.checks, error: health.error }, 'health check: database unavailable');
      return reply
        .code(503)
        .send({ status: 'error', db: 'unavailable', checks: health.checks, error: health.error });
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics (text format 0.0.4); scrape with an API token',
    tags: ['system'],
    handler: async (_input, req, reply) => {
      // Counts only, but still not for the whole network: any signed-in user (or token) may read.
      requireRole(req, 'viewer');
      reply.type('text/plain; version=0.0.4; charset=utf-8');
      return collectMetrics(ctx.db, ctx.now(), ctx.insightsCache ? { insightsCache: ctx.insightsCache } : {});
    },
  });
}
