import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type Schedule, scheduleSchema } from '../../../api/schedules.js';
import type { ServerContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { BRANCH, PROJECT_PARAM } from '../../projects/project-fields.js';
import { cronProblem, nextCronTime } from '../../scheduler/cron.js';
import type { ScheduleRow } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

const CRON = z
  .string()
  .max(200)
  .superRefine((text, issue) => {
    const problem = cronProblem(text);
    if (problem) issue.addIssue({ code: 'custom', message: `invalid cron expression: ${problem}` });
  });

function scheduleJson(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    branch: row.branch,
    cron: row.cron,
    enabled: row.enabled === 1,
    nextAt: row.next_at,
    lastRunId: row.last_run_id,
    createdAt: row.created_at,
  };
}

/** Cron schedules of a project (UTC); the scheduler fires them. */
export function registerScheduleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/schedules',
    summary: 'The project’s cron schedules',
    tags: ['schedules'],
    params: PROJECT_PARAM,
    response: z.array(scheduleSchema),
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const rows = await ctx.db
        .selectFrom('schedules')
        .selectAll()
        .where('project_id', '=', project.id)
        .orderBy('created_at')
        .execute();
      return rows.map(scheduleJson);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/schedules',
    projectRole: 'developer',
    summary: 'Run a branch on a cron schedule (5 fields or @daily-style macros, UTC)',
    tags: ['schedules'],
    status: 201,
    params: PROJECT_PARAM,
    body: z.object({ branch: BRANCH, cron: CRON }),
    response: scheduleSchema,
    handler: async ({ params, body }, req) => {
      requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      const id = randomUUID();
      const now = ctx.now();
      const row: ScheduleRow = {
        id,
        project_id: project.id,
        branch: body.branch,
        cron: body.cron.trim(),
        enabled: 1,
        next_at: nextCronTime(body.cron, now, id),
        last_run_id: null,
        created_at: now,
      };
      await ctx.db.insertInto('schedules').values(row).execute();
      return scheduleJson(row);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/projects/:project/schedules/:id',
    projectRole: 'developer',
    summary: 'Delete a schedule',
    tags: ['schedules'],
    status: 204,
    params: PROJECT_PARAM.extend({ id: z.string().max(64) }),
    handler: async ({ params }, req) => {
      requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      const result = await ctx.db
        .deleteFrom('schedules')
        .where('id', '=', params.id)
        .where('project_id', '=', project.id)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound(`schedule ${params.id}`);
    },
  });
}
