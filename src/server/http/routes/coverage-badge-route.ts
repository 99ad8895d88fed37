import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { BRANCH } from '../../projects/project-fields.js';
import { defineRoute } from '../define-route.js';
import { badgeSvg } from './badge-routes.js';

const params = z.object({
  file: z
    .string()
    .max(110)
    .regex(/^.+\.svg$/, 'must be "<project>.svg"'),
});
const query = z.object({ branch: BRANCH.optional() });

/**
 * `GET /badge/coverage/<project>.svg[?branch=]`: line coverage of the latest run on the branch
 * that reported one. Same access rule as the status badge (publicBadge opt-in, else signed in,
 * else the 404 of an unknown project).
 */
export function registerCoverageBadge(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/badge/coverage/:file',
    summary: 'An SVG coverage badge of the latest run on a branch that reported coverage',
    tags: ['badges'],
    params,
    query,
    auth: false,
    handler: async ({ params, query }, req, reply) => {
      const name = params.file.slice(0, -'.svg'.length);
      if (!name) throw invalid('params.file', 'must be "<project>.svg"');
      const project = await findProject(ctx.db, name);
      if (project.public_badge !== 1 && !req.principal) throw notFound(`project "${name}"`);
      const latest = await ctx.db
        .selectFrom('test_reports')
        .innerJoin('runs', 'runs.id', 'test_reports.run_id')
        .select(['runs.number', 'test_reports.coverage'])
        .where('runs.project_id', '=', project.id)
        .where('runs.ref_kind', '=', 'branch')
        .where('runs.ref_name', '=', query.branch ?? project.default_branch)
        .where('test_reports.coverage', 'is not', null)
        .orderBy('runs.number', 'desc')
        .limit(1)
        .executeTakeFirst();
      const value = latest?.coverage === null || latest === undefined ? null : Number(latest.coverage);
      reply
        .header('content-type', 'image/svg+xml; charset=utf-8')
        .header('cache-control', 'no-cache, max-age=0')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      if (value === null) return badgeSvg('coverage', 'unknown', '#9f9f9f');
      const colour = value >= 80 ? '#2e8540' : value >= 60 ? '#dbab09' : '#cb2431';
      return badgeSvg('coverage', `${Math.round(value * 10) / 10}%`, colour);
    },
  });
}
