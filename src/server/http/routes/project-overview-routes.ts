import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CommitAtRefJson as CommitJson } from '../../../api/project-overview.js';
import { isValidShortRefName, type Ref } from '../../../domain/ref.js';
import type { ServerContext } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { ProjectOverviewJson, projectOverview } from '../../projects/project-overview.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { projectParams } from './run-params.js';

const REF_NAME = z.string().min(1).max(255).refine(isValidShortRefName, 'not a valid git branch or tag name');

/**
 * What the project page's header and its "Run manually" confirmation read: the overview (newest
 * image, latest default-branch tests) and the commit a branch or tag points at right now, so a
 * person confirms the exact commit before the run starts.
 */
export function registerProjectOverviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/overview',
    summary: "The project page header: newest image, and the latest default-branch run's tests and coverage",
    tags: ['projects'],
    params: projectParams,
    response: ProjectOverviewJson,
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      return projectOverview(ctx.db, project);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/commit',
    summary: 'The commit a branch or tag points at (default: the default branch): sha, message, author',
    tags: ['git'],
    params: projectParams,
    query: z
      .object({ branch: REF_NAME.optional(), tag: REF_NAME.optional() })
      .strict()
      .refine((q) => !(q.branch && q.tag), 'give a branch or a tag, not both'),
    response: CommitJson,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const ref: Ref = query.tag
        ? { kind: 'tag', name: query.tag }
        : { kind: 'branch', name: query.branch ?? project.default_branch };
      const sha = await ctx.sources.resolve(project, ref);
      if (!sha) throw notFound(`${ref.kind} "${ref.name}" of project "${project.name}"`);
      const info = await ctx.sources.commitInfo(project, sha);
      if (!info) throw invalid(`query.${ref.kind}`, `the commit of ${ref.kind} "${ref.name}" cannot be read`);
      const commit = info.sha ?? sha;
      return {
        ref: { kind: ref.kind as 'branch' | 'tag', name: ref.name },
        sha: commit,
        shortSha: commit.slice(0, 7),
        message: info.message,
        author: info.author,
        time: Number.isFinite(info.time) ? info.time : null,
      };
    },
  });
}
