import type { FastifyInstance } from 'fastify';
import {
  CreatedProjectSchema,
  CreateProjectBodySchema,
  ProjectJsonSchema,
  ProjectListItemSchema,
  UpdateProjectBodySchema,
  WebhookSecretSchema,
} from '../../../api/projects.js';
import { readableProjectIds } from '../../access/project-access.js';
import { putMember, refusePublicUnlessAllowed, setVisibility } from '../../access/project-members.js';
import { randomSecret } from '../../auth/credentials.js';
import type { ServerContext } from '../../context.js';
import { forbidden, invalid } from '../../errors.js';
import { createProject } from '../../projects/create-project.js';
import { deleteProject } from '../../projects/delete-project.js';
import { findProject } from '../../projects/find-project.js';
import { PROJECT_PARAM } from '../../projects/project-fields.js';
import { projectJson } from '../../projects/project-json.js';
import { remoteUrlProblem } from '../../projects/remote-url.js';
import { runSummaries } from '../../projects/run-summaries.js';
import { defineRoute } from '../define-route.js';
import { publicOrigin } from '../origin.js';
import { requireRole } from '../principal.js';

/**
 * Projects: list, create, read, change, delete, rotate the webhook secret. Who reads and changes
 * one is the project guard's decision (access/project-guard.ts; the list shows only readable
 * projects); instance maintainers create projects; only admins trust a project (its pipelines
 * get privileges) or delete one.
 */
export function registerProjectCrudRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects',
    summary: 'All projects with their latest run and recent run durations',
    tags: ['projects'],
    response: ProjectListItemSchema.array(),
    handler: async (_input, req) => {
      // Anonymous callers see the public projects, when this server allows public projects.
      if (req.principal || !ctx.config.allowPublicProjects) requireRole(req, 'viewer');
      const readable = await readableProjectIds(ctx.db, req.principal, {
        allowPublic: ctx.config.allowPublicProjects,
      });
      const all = await ctx.db.selectFrom('projects').selectAll().orderBy('name').execute();
      const rows = readable === 'all' ? all : all.filter((row) => readable.has(row.id));
      const runs = await runSummaries(ctx.db);
      const origin = publicOrigin(ctx.config, req);
      return rows.map((row) => ({
        ...projectJson(row, origin),
        latestRun: runs.get(row.id)?.latestRun ?? null,
        recentDurations: runs.get(row.id)?.recentDurations ?? [],
      }));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects',
    summary: 'Create a project; the webhook secret is shown only in this answer',
    tags: ['projects'],
    status: 201,
    body: CreateProjectBodySchema,
    response: CreatedProjectSchema,
    handler: async ({ body }, req) => {
      const me = requireRole(req, 'maintainer');
      if (body.trusted && me.role !== 'admin') throw forbidden('only an admin may mark a project trusted');
      if (body.source.kind === 'remote') {
        const problem = remoteUrlProblem(body.source.url);
        if (problem) throw invalid('body.source.url', `body.source.url: ${problem}`);
      }
      refusePublicUnlessAllowed(body.visibility, ctx.config.allowPublicProjects, 'body.visibility');
      const { project, webhookSecret } = await createProject(ctx, body);
      // Whoever creates a project maintains it, also after an admin demotes them instance-wide.
      await putMember(ctx, project, me.username, 'maintainer', me.username);
      return { ...projectJson(project, publicOrigin(ctx.config, req)), webhookSecret };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project',
    summary: 'One project',
    tags: ['projects'],
    params: PROJECT_PARAM,
    response: ProjectJsonSchema,
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const json = projectJson(await findProject(ctx.db, params.project), publicOrigin(ctx.config, req));
      return req.projectAccess ? { ...json, myRole: req.projectAccess.role } : json;
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PATCH',
    url: '/api/projects/:project',
    summary:
      'Change the default branch, concurrency limit, visibility, public status badge, auto-cancel of superseded runs or (admins) trust',
    tags: ['projects'],
    params: PROJECT_PARAM,
    body: UpdateProjectBodySchema,
    response: ProjectJsonSchema,
    handler: async ({ params, body }, req) => {
      const me = requireRole(req, 'maintainer');
      if (body.trusted !== undefined && me.role !== 'admin') {
        throw forbidden('only an admin may change whether a project is trusted');
      }
      refusePublicUnlessAllowed(body.visibility, ctx.config.allowPublicProjects, 'body.visibility');
      let project = await findProject(ctx.db, params.project);
      if (body.visibility !== undefined)
        project = await setVisibility(ctx, project, body.visibility, me.username);
      const changes = {
        ...(body.defaultBranch !== undefined ? { default_branch: body.defaultBranch } : {}),
        ...(body.concurrencyLimit !== undefined ? { concurrency_limit: body.concurrencyLimit } : {}),
        ...(body.trusted !== undefined ? { trusted: body.trusted ? 1 : 0 } : {}),
        ...(body.publicBadge !== undefined ? { public_badge: body.publicBadge ? 1 : 0 } : {}),
        ...(body.autoCancelSuperseded !== undefined
          ? { auto_cancel_superseded: body.autoCancelSuperseded ? 1 : 0 }
          : {}),
      };
      if (Object.keys(changes).length > 0) {
        await ctx.db.updateTable('projects').set(changes).where('id', '=', project.id).execute();
      }
      return projectJson({ ...project, ...changes }, publicOrigin(ctx.config, req));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project',
    summary:
      'Delete a project with its runs, secrets, schedules, registries, images, applications, webhook deliveries and git repository (the audit log stays)',
    tags: ['projects'],
    status: 204,
    params: PROJECT_PARAM,
    handler: async ({ params }, req) => {
      const principal = requireRole(req, 'admin');
      const project = await findProject(ctx.db, params.project);
      // Its active runs are canceled; its rows (not the audit log) and git repository go with it.
      await deleteProject(
        { db: ctx.db, dataDir: ctx.config.dataDir, runs: ctx.runs },
        project,
        principal.username,
      );
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/webhook-secret',
    summary: 'Replace the webhook secret; the new one is shown only in this answer',
    tags: ['projects'],
    params: PROJECT_PARAM,
    response: WebhookSecretSchema,
    handler: async ({ params }, req) => {
      requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      const webhookSecret = randomSecret();
      await ctx.db
        .updateTable('projects')
        .set({ webhook_secret: ctx.secretBox.seal(webhookSecret) })
        .where('id', '=', project.id)
        .execute();
      return { webhookSecret };
    },
  });
}
