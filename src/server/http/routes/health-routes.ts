import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { collectMetrics } from '../../metrics/collect-metrics.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

/** Liveness for load balancers and Prometheus metrics. */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/healthz',
    summary: 'Health: 200 when the database answers, 503 when it does not',
    tags: ['system'],
    auth: false,
    response: z.object({ status: z.literal('ok'), db: z.literal('ok') }),
    handler: async (_input, req, reply) => {
      try {
        await sql`SELECT 1`.execute(ctx.db);
      } catch (error) {
        req.log.warn({ err: error }, 'health check: database unavailable');
        return reply.code(503).send({ status: 'error', db: 'unavailable' });
      }
      return { status: 'ok', db: 'ok' };
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
      return collectMetrics(ctx.db, ctx.now());
    },
  });
}
