import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuditListSchema } from '../../../api/audit.js';
import {
  ApplicationListSchema,
  applicationInputSchema,
  applicationJsonSchema,
  environmentInputSchema,
  resourceName,
} from '../../../api/releases.js';
import type { ServerContext } from '../../context.js';
import {
  createApplication,
  deleteApplication,
  deleteEnvironment,
  findApplication,
  findEnvironment,
  putEnvironment,
} from '../../deploys/applications-service.js';
import { listAudit } from '../../deploys/audit-log.js';
import { toApplicationJson } from '../../deploys/release-json.js';
import { ReleaseService } from '../../deploys/release-service.js';
import { refuseIngressCanary } from '../../deploys/swarm-canary-rule.js';
import { findProject } from '../../projects/find-project.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { projectParams } from './run-params.js';

export const appParams = projectParams.extend({ app: resourceName });
export const envParams = appParams.extend({ env: resourceName });

/**
 * Applications and their environments (issue #6): reads need viewer, changes maintainer, and
 * every change is in the audit log. Environment configs are validated here, on write.
 */
export function registerApplicationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tags = ['applications'];
  const releases = new ReleaseService({
    db: ctx.db,
    now: ctx.now,
    events: ctx.events,
    deliveries: ctx.deliveries,
    runs: ctx.runs,
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/applications',
    summary: 'Applications with their environments side by side: running version, health, replicas',
    tags,
    params: projectParams,
    response: ApplicationListSchema,
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const rows = await ctx.db
        .selectFrom('applications')
        .selectAll()
        .where('project_id', '=', project.id)
        .orderBy('name')
        .execute();
      const applications = [];
      for (const row of rows) {
        await releases.syncApplication(row.id);
        applications.push(await toApplicationJson(ctx.db, row, clockOf(ctx)));
      }
      return { applications };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/applications',
    summary: 'Create an application, optionally with its environments (in order)',
    tags,
    params: projectParams,
    body: applicationInputSchema,
    response: applicationJsonSchema,
    status: 201,
    handler: async ({ params, body }, req) => {
      const principal = requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      for (const [i, env] of body.environments.entries())
        refuseIngressCanary(env, ctx.config.swarmPublish, `body.environments.${i}.config.rollout`);
      const created = await createApplication(ctx, project, body, principal.username);
      return toApplicationJson(ctx.db, created, clockOf(ctx));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/applications/:app',
    summary: 'One application with its environments',
    tags,
    params: appParams,
    response: applicationJsonSchema,
    handler: async ({ params }, req) => {
      const { row } = await applicationOf(ctx, req, params, 'viewer');
      await releases.syncApplication(row.id);
      return toApplicationJson(ctx.db, row, clockOf(ctx));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project/applications/:app',
    summary: 'Delete an application and its release history; agents stop and remove what it runs',
    tags,
    params: appParams,
    status: 204,
    handler: async ({ params }, req) => {
      const { principal, project, row } = await applicationOf(ctx, req, params, 'maintainer');
      await deleteApplication(ctx, project, row, principal.username);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PUT',
    url: '/api/projects/:project/applications/:app/environments/:env',
    summary: 'Create or configure an environment (target, config, approval, auto release)',
    tags,
    params: envParams,
    body: environmentInputSchema,
    response: applicationJsonSchema,
    handler: async ({ params, body }, req, reply) => {
      const { principal, project, row } = await applicationOf(ctx, req, params, 'maintainer');
      refuseIngressCanary(body, ctx.config.swarmPublish, 'body.config.rollout');
      const { created } = await putEnvironment(ctx, project, row, params.env, body, principal.username);
      reply.code(created ? 201 : 200);
      return reply.send(await toApplicationJson(ctx.db, row, clockOf(ctx)));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project/applications/:app/environments/:env',
    summary: 'Delete an environment and its releases; agents stop and remove what it runs',
    tags,
    params: envParams,
    status: 204,
    handler: async ({ params }, req) => {
      const { principal, project, row } = await applicationOf(ctx, req, params, 'maintainer');
      const env = await findEnvironment(ctx.db, row, params.env);
      await deleteEnvironment(ctx, project, row, env, principal.username);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/audit',
    summary: 'Audit log of the project: deploys, promotions, approvals, rollbacks, scaling, config changes',
    tags,
    params: projectParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      before: z.coerce.number().int().min(1).optional(),
    }),
    response: AuditListSchema,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      return { entries: await listAudit(ctx.db, project.id, query) };
    },
  });
}

/** The application named in the URL, after the role check (a viewer learns nothing about what exists). */
async function applicationOf(
  ctx: ServerContext,
  req: FastifyRequest,
  params: { project: string; app: string },
  role: 'viewer' | 'maintainer',
) {
  const principal = requireRole(req, role);
  const project = await findProject(ctx.db, params.project);
  const row = await findApplication(ctx.db, project, params.app);
  return { principal, project, row };
}

/** What observed health is judged against: now, and how old an observation may be. */
function clockOf(ctx: ServerContext): { now: number; staleMs: number } {
  return { now: ctx.now(), staleMs: ctx.config.observationStaleMs };
}
