/**
 * Artifacts and tests of a run, for people (web UI, CLI, API): the list of a run's artifacts,
 * the whole archive of a job (tar.gz, as stored: no work for the server), one file out of it,
 * and the run's test cases with flaky verdicts. Access as for logs: a viewer of the project.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { openArchiveFile } from '../../artifacts/archive-file.js';
import { flakyVerdicts, key } from '../../artifacts/flaky-tests.js';
import { testSummaries } from '../../artifacts/test-report-store.js';
import type { ServerContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import { findRunByNumber } from '../../runs/run-lookup.js';
import type { ArtifactRow } from '../../store/tables-artifacts.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { jobParams, runParams } from './run-params.js';

const tags = ['artifacts'];
const base = '/api/projects/:project/runs/:number';

const artifactJson = z.object({
  job: z.string(),
  name: z.string(),
  size: z.number(),
  files: z.number(),
  createdAt: z.number(),
  /** null: kept until deleted. */
  expiresAt: z.number().nullable(),
  entries: z.array(z.object({ path: z.string(), size: z.number() })),
});

const statusOrder: Record<string, number> = { failed: 0, error: 0, passed: 1, skipped: 2 };

export function registerArtifactRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/artifacts`,
    summary: "The run's artifacts: per job, its archive's size, expiry and files",
    tags,
    params: runParams,
    response: z.object({ artifacts: z.array(artifactJson) }),
    handler: async ({ params }, req) => {
      const { run } = await authorizedRun(ctx, req, params);
      const rows = await ctx.artifacts.list(run.id);
      return { artifacts: rows.filter((r) => !expired(ctx, r)).map(toJson) };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/artifacts/:job/archive`,
    summary: "A job's artifacts as one .tar.gz download",
    tags,
    params: jobParams,
    handler: async ({ params }, req, reply) => {
      const { run } = await authorizedRun(ctx, req, params);
      const row = await artifactOf(ctx, run.id, params.job);
      reply
        .header('content-type', 'application/gzip')
        .header('content-length', String(row.size))
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', attachment(`${row.name}-${run.record}.tar.gz`));
      return reply.send(await ctx.artifacts.open(row));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/artifacts/:job/file`,
    summary: "One file out of a job's artifacts (`path` as listed), as a download",
    tags,
    params: jobParams,
    query: z.object({ path: z.string().min(1).max(4096) }),
    handler: async ({ params, query }, req, reply) => {
      const { run } = await authorizedRun(ctx, req, params);
      const row = await artifactOf(ctx, run.id, params.job);
      const file = await openArchiveFile(await ctx.artifacts.open(row), query.path);
      if (!file) throw notFound(`file "${query.path}" in the artifacts of job "${params.job}"`);
      // Never rendered by the browser: an artifact's HTML or SVG must not run as our page.
      reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(file.size))
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', attachment(query.path.split('/').pop() || 'file'));
      return reply.send(file.stream);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/tests`,
    summary: "The run's test cases (failed first) with per-job counts, coverage and flaky verdicts",
    tags,
    params: runParams,
    handler: async ({ params }, req) => {
      const { project, run } = await authorizedRun(ctx, req, params);
      const [reports, cases, summaries] = await Promise.all([
        ctx.db.selectFrom('test_reports').selectAll().where('run_id', '=', run.id).orderBy('job').execute(),
        ctx.db.selectFrom('test_cases').selectAll().where('run_id', '=', run.id).execute(),
        testSummaries(ctx.db, [run.id]),
      ]);
      const verdicts = await flakyVerdicts(
        ctx.db,
        {
          projectId: project.id,
          branch: run.ref_kind === 'branch' ? run.ref_name : null,
          sha: run.sha,
          upToRun: run.number,
        },
        cases.filter((c) => c.status !== 'skipped'),
      );
      cases.sort(
        (a, b) =>
          (statusOrder[a.status] ?? 3) - (statusOrder[b.status] ?? 3) ||
          a.suite.localeCompare(b.suite) ||
          a.classname.localeCompare(b.classname) ||
          a.name.localeCompare(b.name),
      );
      return {
        summary: summaries.get(run.id) ?? null,
        jobs: reports.map((r) => ({
          job: r.job,
          total: r.total,
          passed: r.passed,
          failed: r.failed,
          errored: r.errored,
          skipped: r.skipped,
          durationMs: Number(r.duration_ms),
          coverage: r.coverage === null ? null : Number(r.coverage),
        })),
        cases: cases.map((c) => {
          const verdict = verdicts.get(key(c.classname, c.name));
          return {
            job: c.job,
            suite: c.suite,
            classname: c.classname,
            name: c.name,
            status: c.status,
            durationMs: Number(c.duration_ms),
            message: c.message,
            output: c.output,
            flaky: verdict?.flaky ?? false,
            flakyWhy: verdict?.why ?? null,
            history: verdict?.flaky ? verdict.history : [],
          };
        }),
      };
    },
  });
}

async function authorizedRun(
  ctx: ServerContext,
  req: FastifyRequest,
  params: { project: string; number: number },
) {
  requireRole(req, 'viewer');
  const project = await findProject(ctx.db, params.project);
  const run = await findRunByNumber(ctx.db, project, params.number);
  return { project, run };
}

async function artifactOf(ctx: ServerContext, runId: string, job: string): Promise<ArtifactRow> {
  const row = await ctx.artifacts.find(runId, job);
  if (!row || expired(ctx, row)) throw notFound(`artifacts of job "${job}"`);
  return row;
}

/** Expired but not swept yet: already gone for readers. */
function expired(ctx: ServerContext, row: ArtifactRow): boolean {
  return row.expires_at !== null && Number(row.expires_at) <= ctx.now();
}

function toJson(row: ArtifactRow): z.infer<typeof artifactJson> {
  return {
    job: row.job,
    name: row.name,
    size: Number(row.size),
    files: row.files,
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    entries: JSON.parse(row.entries) as { path: string; size: number }[],
  };
}

/** An attachment header safe for any name (ASCII fallback + RFC 5987 UTF-8 name). */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
