import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PipelineEvent } from '../../../domain/event.js';
import { isValidShortRefName, type Ref } from '../../../domain/ref.js';
import { reservedEnvReason } from '../../../domain/reserved-env.js';
import { STATUSES } from '../../../domain/status.js';
import type { ServerContext } from '../../context.js';
import { assertFourEyesForPlay } from '../../deploys/four-eyes.js';
import { invalid, notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { type WaitingReason, waitingReasons } from '../../queue/waiting-reason.js';
import { loadRunView, type RunView } from '../../runs/run-events.js';
import {
  jobJsonSchema,
  type RunDetail,
  type RunSummary,
  runDetailSchema,
  runPageSchema,
  runSummarySchema,
  toJobJson,
  toRunDetail,
  toRunSummary,
} from '../../runs/run-json.js';
import { jobsByRun, listRuns } from '../../runs/run-list.js';
import { findJob, findRunByNumber } from '../../runs/run-lookup.js';
import { testCountsOf } from '../../runs/run-test-counts.js';
import type { RunRow } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { registerProjectEventsRoute } from './project-events-route.js';
import { jobParams, projectParams, runParams } from './run-params.js';

const TRIGGERS = ['push', 'tag', 'pull_request', 'manual', 'cron', 'api', 'rerun'] as const;

const listQuery = z.object({
  branch: z.string().min(1).max(255).optional(),
  status: z.enum(STATUSES).optional(),
  trigger: z.enum(TRIGGERS).optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

const REF_NAME = z.string().min(1).max(255).refine(isValidShortRefName, 'not a valid git branch or tag name');

const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'a variable name is letters, digits and _');
const createBody = z
  .object({
    // The same ref-name rule as the git server and webhooks (domain/ref.ts).
    branch: REF_NAME.optional(),
    tag: REF_NAME.optional(),
    variables: z
      .record(variableName, z.string().max(64 * 1024))
      .refine((v) => Object.keys(v).length <= 100, 'at most 100 variables')
      // Variables join every job's env: the names a config may not set, a run may not either.
      .superRefine((v, ctx) => {
        for (const name of Object.keys(v)) {
          const why = reservedEnvReason(name);
          if (why) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is reserved: ${why}` });
        }
      })
      .optional(),
  })
  .strict()
  .refine((b) => !(b.branch && b.tag), 'give a branch or a tag, not both')
  .optional();

const rerunBody = z.object({ failedOnly: z.boolean().optional() }).strict().optional();

/**
 * The execution records of a project and the actions on them. Reads need viewer, actions
 * maintainer; the role is checked before anything is looked up, and unknown projects, runs and
 * jobs are 404 alike.
 */
export function registerRunRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tags = ['runs'];

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/runs',
    summary: 'Execution records of a project, newest first (keyset pages: pass `next` as `before`)',
    tags,
    params: projectParams,
    query: listQuery,
    response: runPageSchema,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const page = await listRuns(ctx.db, { projectId: project.id, ...query });
      const jobs = await jobsByRun(
        ctx.db,
        page.runs.map((r) => r.id),
      );
      const waiting = await waitingOf(
        ctx,
        page.runs.filter((r) => r.status === 'queued').map((r) => r.id),
      );
      return {
        runs: page.runs.map((run) => ({
          ...withWaiting(toRunSummary(run, project.name, jobs.get(run.id) ?? []), waiting),
          tests: testCountsOf(run),
        })),
        next: page.next,
      };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/runs/:number',
    summary: 'One execution record with its jobs',
    tags,
    params: runParams,
    response: runDetailSchema,
    handler: async ({ params }, req) => {
      requireRole(req, 'viewer');
      const run = await runOf(ctx, params);
      return detailOf(ctx, run.id);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/runs',
    projectRole: 'developer',
    summary: 'Run a branch or tag by hand (default: the default branch)',
    tags,
    params: projectParams,
    body: createBody,
    response: runSummarySchema,
    status: 201,
    handler: async ({ params, body }, req) => {
      const principal = requireRole(req, 'maintainer');
      const project = await findProject(ctx.db, params.project);
      const ref: Ref = body?.tag
        ? { kind: 'tag', name: body.tag }
        : { kind: 'branch', name: body?.branch ?? project.default_branch };
      const sha = await ctx.sources.resolve(project, ref);
      if (!sha) {
        throw invalid(
          `body.${ref.kind}`,
          `${ref.kind} "${ref.name}" does not exist in project "${project.name}"`,
        );
      }
      const info = await ctx.sources.commitInfo(project, sha);
      const event: PipelineEvent = {
        kind: 'manual',
        ref,
        sha,
        author: info?.author ?? principal.username,
        message: info?.message ?? '',
        ...(info ? { commitTime: info.time } : {}),
      };
      const run = await ctx.runs.createRun({
        project,
        event,
        trigger: 'manual',
        actor: principal.username,
        variables: body?.variables ?? {},
      });
      return summaryOf(ctx, run.id);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/runs/:number/cancel',
    projectRole: 'developer',
    summary: 'Cancel a run (idempotent): queued runs end at once, running ones are stopped by their agent',
    tags,
    params: runParams,
    response: runSummarySchema,
    status: 202,
    handler: async ({ params }, req) => {
      const principal = requireRole(req, 'maintainer');
      const run = await runOf(ctx, params);
      await ctx.runs.cancel(run.id, principal.username);
      return summaryOf(ctx, run.id);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/runs/:number/rerun',
    projectRole: 'developer',
    summary: 'A new run of the same commit: all jobs, or (failedOnly) resume from the failed ones',
    tags,
    params: runParams,
    body: rerunBody,
    response: runSummarySchema,
    status: 201,
    handler: async ({ params, body }, req) => {
      const principal = requireRole(req, 'maintainer');
      const run = await runOf(ctx, params);
      const created = await ctx.runs.rerun(run.id, {
        failedOnly: body?.failedOnly ?? false,
        by: principal.username,
      });
      return summaryOf(ctx, created.id);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/projects/:project/runs/:number/jobs/:job/play',
    projectRole: 'developer',
    summary: 'Start a manual job',
    tags,
    params: jobParams,
    response: jobJsonSchema,
    status: 202,
    handler: async ({ params }, req) => {
      const principal = requireRole(req, 'maintainer');
      const run = await runOf(ctx, params);
      await assertFourEyesForPlay(ctx.db, run, params.job, principal.username);
      await ctx.runs.playJob(run.id, params.job, principal.username);
      return toJobJson(await findJob(ctx.db, run, params.job));
    },
  });

  registerProjectEventsRoute(app, ctx);
}

/** The run of a `:project/:number` path; unknown projects and runs are 404 alike. */
async function runOf(ctx: ServerContext, params: { project: string; number: number }): Promise<RunRow> {
  const project = await findProject(ctx.db, params.project);
  return findRunByNumber(ctx.db, project, params.number);
}

/** A run as the answers show it, read back after the change. */
async function viewOf(ctx: ServerContext, runId: string): Promise<RunView> {
  const view = await loadRunView(ctx.db, runId);
  if (!view) throw notFound('run');
  return view;
}

async function detailOf(ctx: ServerContext, runId: string): Promise<RunDetail> {
  const view = await viewOf(ctx, runId);
  const waiting = await waitingOf(ctx, view.run.status === 'queued' ? [runId] : []);
  return withWaiting(toRunDetail(view.run, view.projectName, view.jobs), waiting);
}

/** Why queued runs wait (labels no connected agent offers); see queue/waiting-reason.ts. */
function waitingOf(ctx: ServerContext, runIds: string[]): Promise<Map<string, WaitingReason>> {
  return waitingReasons(ctx.db, runIds, ctx.now(), ctx.config.leaseTimeoutMs);
}

function withWaiting<T extends RunSummary>(run: T, waiting: Map<string, WaitingReason>): T {
  const reason = waiting.get(run.id);
  return reason ? { ...run, waiting: reason } : run;
}

async function summaryOf(ctx: ServerContext, runId: string): Promise<RunSummary> {
  const view = await viewOf(ctx, runId);
  return toRunSummary(view.run, view.projectName, view.jobs);
}
