import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { secretInfoSchema } from '../../../api/secrets.js';
import { secretValueProblem } from '../../../domain/secret-value.js';
import type { ServerContext } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { PROJECT_PARAM, SECRET_NAME, SECRET_VALUE } from '../../projects/project-fields.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

const SecretParams = PROJECT_PARAM.extend({ name: SECRET_NAME });

/**
 * Project secrets (security rule 6): sealed with the server key before they are stored, and
 * never returned — not here, not in an error, not in a log line. Only the agent running a step
 * that names a secret ever sees its value.
 */
export function registerSecretRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/secrets',
    summary: 'Names of the project’s secrets (never their values)',
    tags: ['secrets'],
    params: PROJECT_PARAM,
    response: z.array(secretInfoSchema),
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const rows = await ctx.db
        .selectFrom('secrets')
        .select(['name', 'created_at', 'updated_at']) // never `value`
        .where('project_id', '=', project.id)
        .orderBy('name')
        .execute();
      return rows.map((r) => ({ name: r.name, createdAt: r.created_at, updatedAt: r.updated_at }));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PUT',
    url: '/api/projects/:project/secrets/:name',
    summary: 'Set a secret (at least 8 characters, so it can be masked in logs)',
    tags: ['secrets'],
    params: SecretParams,
    body: z.object({ value: SECRET_VALUE }),
    response: secretInfoSchema,
    handler: async ({ params, body }, req) => {
      requireRole(req, 'maintainer');
      // Control characters are refused here, naming the secret and never quoting the value.
      const problem = secretValueProblem(body.value);
      if (problem !== null) throw invalid('body.value', `secret ${params.name} ${problem}`);
      const project = await findProject(ctx.db, params.project);
      const now = ctx.now();
      const sealed = ctx.secretBox.seal(body.value);
      await ctx.db
        .insertInto('secrets')
        .values({
          project_id: project.id,
          name: params.name,
          value: sealed,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['project_id', 'name']).doUpdateSet({ value: sealed, updated_at: now }),
        )
        .execute();
      const row = await ctx.db
        .selectFrom('secrets')
        .select(['name', 'created_at', 'updated_at'])
        .where('project_id', '=', project.id)
        .where('name', '=', params.name)
        .executeTakeFirstOrThrow();
      return { name: row.name, createdAt: row.created_at, updatedAt: row.updated_at };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project/secrets/:name',
    summary: 'Delete a secret',
    tags: ['secrets'],
    status: 204,
    params: SecretParams,
    handler: async ({ params }, req) => {
      requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      const result = await ctx.db
        .deleteFrom('secrets')
        .where('project_id', '=', project.id)
        .where('name', '=', params.name)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound(`secret ${params.name}`);
    },
  });
}
