import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditListSchema } from '../../../api/audit.js';
import type { ServerContext } from '../../context.js';
import { listAudit } from '../../deploys/audit-log.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

/** The instance-wide audit log (admins): every project's actions and the account changes. */
export function registerAuditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/audit',
    summary: 'Audit log of the whole instance, newest first; filter by actor and action (family)',
    tags: ['users'],
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      before: z.coerce.number().int().min(1).optional(),
      actor: z.string().min(1).max(64).optional(),
      action: z
        .string()
        .regex(/^[a-z_]+(\.[a-z_]+)?$/, 'an action like release.deploy, or a family like release')
        .optional(),
    }),
    response: AuditListSchema,
    handler: async ({ query }, req) => {
      requireRole(req, 'admin');
      return { entries: await listAudit(ctx.db, null, query) };
    },
  });
}
