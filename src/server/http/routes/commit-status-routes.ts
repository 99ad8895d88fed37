import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { invalid } from '../../errors.js';
import { deliveryJsonSchema, deliveryLog } from '../../notify/delivery-log.js';
import { forgeRepo, offersCommitStatus } from '../../notify/forge-status.js';
import { findProject } from '../../projects/find-project.js';
import { PROJECT_PARAM } from '../../projects/project-fields.js';
import type { ProjectRow } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

const settingsJson = z.object({
  forge: z.string().nullable(),
  /** false: the project is built-in, or its forge has no commit status API (Gitee). */
  offered: z.boolean(),
  enabled: z.boolean(),
  tokenSet: z.boolean(),
  /** The API base statuses go to (derived from the remote URL, or the override). */
  apiUrl: z.string().nullable(),
  apiUrlOverride: z.string().nullable(),
  /** The newest status sent (or being sent) and how the forge answered. */
  lastDelivery: deliveryJsonSchema.nullable(),
});

const settingsInput = z.object({
  enabled: z.boolean().optional(),
  /** Write-only; an empty string removes it. */
  token: z.string().max(1000).optional(),
  apiUrl: z
    .string()
    .url()
    .refine((u) => /^https?:/.test(u), 'must be an http(s) URL')
    .nullable()
    .optional(),
});

/**
 * Commit statuses of a remote project: the forge token (sealed, write-only), an API base
 * override for self-hosted forges, and what the last status sent got back. Maintainers change it.
 */
export function registerCommitStatusRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const url = '/api/projects/:project/commit-status';
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url,
    summary: 'Commit status settings of the project and the last status sent',
    tags: ['commit-status'],
    params: PROJECT_PARAM,
    response: settingsJson,
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      return settingsOf(ctx, await findProject(ctx.db, params.project));
    },
  });
  defineRoute(app, ctx.routes, {
    method: 'PUT',
    url,
    summary: 'Set the forge token (write-only), turn statuses on or off, override the API base URL',
    tags: ['commit-status'],
    params: PROJECT_PARAM,
    body: settingsInput,
    response: settingsJson,
    handler: async ({ params, body }, req) => {
      requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      if (project.source_kind !== 'remote' || !offersCommitStatus(project.forge)) {
        throw invalid(
          'params.project',
          project.forge === 'gitee'
            ? 'Gitee offers no commit status API; statuses cannot be set for this project'
            : 'commit statuses need a remote project on GitHub, Gitea or GitLab',
        );
      }
      const existing = await ctx.db
        .selectFrom('commit_status_settings')
        .selectAll()
        .where('project_id', '=', project.id)
        .executeTakeFirst();
      const token =
        body.token === undefined
          ? (existing?.token ?? null)
          : body.token === ''
            ? null
            : ctx.secretBox.seal(body.token);
      const values = {
        enabled: (body.enabled ?? (existing ? existing.enabled === 1 : true)) ? 1 : 0,
        token,
        api_url: body.apiUrl === undefined ? (existing?.api_url ?? null) : body.apiUrl,
        updated_at: ctx.now(),
      };
      await ctx.db
        .insertInto('commit_status_settings')
        .values({ project_id: project.id, ...values })
        .onConflict((oc) => oc.column('project_id').doUpdateSet(values))
        .execute();
      return settingsOf(ctx, project);
    },
  });
}

async function settingsOf(ctx: ServerContext, project: ProjectRow): Promise<z.infer<typeof settingsJson>> {
  const row = await ctx.db
    .selectFrom('commit_status_settings')
    .selectAll()
    .where('project_id', '=', project.id)
    .executeTakeFirst();
  const offered = project.source_kind === 'remote' && offersCommitStatus(project.forge);
  const repo =
    offered && project.remote_url && offersCommitStatus(project.forge)
      ? forgeRepo(project.forge, project.remote_url, row?.api_url ?? null)
      : null;
  const [last] = await deliveryLog(ctx.db, { projectId: project.id, kind: 'commit_status', limit: 1 });
  return {
    forge: project.forge,
    offered,
    enabled: offered && (row ? row.enabled === 1 : false),
    tokenSet: Boolean(row?.token),
    apiUrl: repo?.apiBase ?? null,
    apiUrlOverride: row?.api_url ?? null,
    lastDelivery: last ?? null,
  };
}
