import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isTerminal, type Status } from '../../../domain/status.js';
import { logLineSchema } from '../../../protocol/agent-protocol.js';
import type { ServerContext } from '../../context.js';
import { JobLogStream } from '../../logs/job-log-stream.js';
import { findProject } from '../../projects/find-project.js';
import type { JobJson } from '../../runs/run-json.js';
import { findJob, findRunByNumber } from '../../runs/run-lookup.js';
import type { LogService } from '../../services.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { openSse, trackSseStreams } from '../sse.js';
import { endStreamWhenAccessEnds } from '../stream-access.js';
import { jobParams, SSE_HEARTBEAT_MS } from './run-params.js';

/** Lines per database page of the raw download. */
const RAW_PAGE_LINES = 5000;

const pageQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
const streamQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

/**
 * A job's log: a JSON page, a live SSE stream, a raw download. Every one checks the caller's
 * role and that project, run and job exist (404 otherwise) before reading a line.
 */
export function registerLogRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const streams = trackSseStreams(app);
  const tags = ['logs'];
  const base = '/api/projects/:project/runs/:number/jobs/:job/logs';

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: base,
    summary: "A page of a job's log lines (pass `next` as `after` for the following page)",
    tags,
    params: jobParams,
    query: pageQuery,
    response: z.object({ lines: z.array(logLineSchema), next: z.number().int().nullable() }),
    handler: async ({ params, query }, req) => {
      const { run, job } = await authorizedJob(ctx, req, params);
      const lines = await ctx.logs.read(run.id, job.name, query.after, query.limit);
      // A full page may have a successor; a short one is everything stored so far.
      const next = lines.length === query.limit ? (lines.at(-1)?.n ?? null) : null;
      return { lines, next };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/stream`,
    summary:
      "A job's log live (SSE): `event: lines` with a batch and `id` = its last line number; resumes after Last-Event-ID (or ?after); `event: end` when the job ended",
    tags,
    params: jobParams,
    query: streamQuery,
    handler: async ({ params, query }, req, reply) => {
      const { project, run, job } = await authorizedJob(ctx, req, params);
      const after = lastEventId(req) ?? query.after ?? 0;
      const sse = openSse(reply, streams);
      // Checked at open by authorizedJob; re-checked while open (revoked token, deleted project…).
      endStreamWhenAccessEnds(ctx, req, sse, { projectId: project.id });
      const stream = new JobLogStream({
        logs: ctx.logs,
        runId: run.id,
        job: job.name,
        after,
        sse,
        isJobDone: async () => {
          const row = await ctx.db
            .selectFrom('jobs')
            .select('status')
            .where('run_id', '=', run.id)
            .where('name', '=', job.name)
            .executeTakeFirst();
          return !row || isTerminal(row.status as Status);
        },
      });
      // Job status changes come on the project's event bus; the end of a job ends the stream.
      const unsubscribe = ctx.events.subscribe(project.id, (event) => {
        if (event.type === 'job' && event.runId === run.id && (event.data as JobJson).name === job.name)
          stream.kick();
      });
      // The heartbeat also re-checks, in case an event was missed.
      const heartbeat = setInterval(() => {
        sse.comment('heartbeat');
        stream.kick();
      }, SSE_HEARTBEAT_MS);
      sse.onClose(() => {
        clearInterval(heartbeat);
        unsubscribe();
      });
      stream.start();
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/raw`,
    summary: "A job's whole log as a text file download",
    tags,
    params: jobParams,
    handler: async ({ params }, req, reply) => {
      const { run, job } = await authorizedJob(ctx, req, params);
      // text/plain + nosniff: a browser never renders a log (ANSI, HTML in output) as a page.
      reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', attachment(`${run.record}-${job.name}.log`));
      return Readable.from(rawText(ctx.logs, run.id, job.name), { objectMode: false });
    },
  });
}

async function authorizedJob(
  ctx: ServerContext,
  req: FastifyRequest,
  params: { project: string; number: number; job: string },
) {
  requireRole(req, 'viewer');
  const project = await findProject(ctx.db, params.project);
  const run = await findRunByNumber(ctx.db, project, params.number);
  const job = await findJob(ctx.db, run, params.job);
  return { project, run, job };
}

/** The SSE resume point a reconnecting client sends; null when absent or not a line number. */
function lastEventId(req: FastifyRequest): number | null {
  const value = req.headers['last-event-id'];
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** Streams the log page by page from the database, so a huge log never sits in memory. */
async function* rawText(logs: LogService, runId: string, job: string): AsyncGenerator<Buffer> {
  let after = 0;
  for (;;) {
    const lines = await logs.read(runId, job, after, RAW_PAGE_LINES);
    if (lines.length === 0) return;
    yield Buffer.from(lines.map((l) => `${l.text}\n`).join(''));
    after = (lines.at(-1) as { n: number }).n;
    if (lines.length < RAW_PAGE_LINES) return;
  }
}

/** An attachment header safe for any record or job name (ASCII fallback + RFC 5987 UTF-8 name). */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
