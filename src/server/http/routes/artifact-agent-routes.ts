/**
 * The artifact and test-report calls of the agent protocol (protocol/artifact-protocol.ts):
 * upload a job's archive (streamed to disk, never buffered), download an earlier job's archive
 * to restore it into a workspace, and post a job's parsed test report.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { artifactStoredSchema, testReportSchema } from '../../../protocol/artifact-protocol.js';
import { leaseRun } from '../../artifacts/lease-run.js';
import { storeTestReport } from '../../artifacts/test-report-store.js';
import type { ServerContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { parseInput } from '../define-route.js';
import { callingAgent } from './agent-routes.js';

const TAGS = ['agent protocol'];
const params = z.object({ lease: z.string().min(1).max(100), job: z.string().min(1).max(200) });
const uploadQuery = z.object({
  name: z.string().min(1).max(100).optional(),
  expireIn: z.union([z.literal('never'), z.coerce.number().int().positive()]).optional(),
});
const downloadQuery = z.object({ run: z.string().min(1).max(100).optional() });
/** Reports are JSON of up to 20,000 cases with capped texts: more than the default 1 MiB body. */
const REPORT_BODY_LIMIT = 64 * 1024 * 1024;

export function registerArtifactAgentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const url = '/api/agent/leases/:lease/artifacts/:job';
  ctx.routes.routes.push(
    {
      method: 'PUT',
      url,
      summary: "Upload a job's artifacts (tar.gz body, streamed; 413 past the job or project cap)",
      tags: TAGS,
      params,
      query: uploadQuery,
      response: artifactStoredSchema,
      status: 200,
      auth: false,
    },
    {
      method: 'GET',
      url,
      summary: "Download an earlier job's artifacts (tar.gz) to restore them into the workspace",
      tags: TAGS,
      params,
      query: downloadQuery,
      status: 200,
      auth: false,
    },
    {
      method: 'POST',
      url: '/api/agent/leases/:lease/reports',
      summary: "A job's parsed JUnit test cases and coverage",
      tags: TAGS,
      body: testReportSchema,
      status: 204,
      auth: false,
    },
  );

  // An encapsulated scope: the raw-stream body parser applies to the upload only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(['application/gzip', 'application/octet-stream'], (_req, payload, done) =>
      done(null, payload),
    );
    scope.put(url, async (req) => {
      const agent = await callingAgent(ctx, req);
      const p = parseInput(params, req.params, 'params');
      const q = parseInput(uploadQuery, req.query, 'query');
      const run = await leaseRun(ctx.db, agent.id, p.lease);
      return ctx.artifacts.receive(run, p.job, req.body as Readable, {
        name: q.name ?? null,
        expireInMs: q.expireIn ?? null,
      });
    });
  });

  app.get(url, async (req, reply) => {
    const agent = await callingAgent(ctx, req);
    const p = parseInput(params, req.params, 'params');
    const q = parseInput(downloadQuery, req.query, 'query');
    const lease = await leaseRun(ctx.db, agent.id, p.lease);
    const runId = q.run ?? lease.runId;
    if (!lease.readable.has(runId)) throw notFound(`artifacts of job "${p.job}"`);
    const row = await ctx.artifacts.find(runId, p.job);
    if (!row) throw notFound(`artifacts of job "${p.job}"`);
    return reply
      .type('application/gzip')
      .header('content-length', String(row.size))
      .send(await ctx.artifacts.open(row));
  });

  app.post('/api/agent/leases/:lease/reports', { bodyLimit: REPORT_BODY_LIMIT }, async (req, reply) => {
    const agent = await callingAgent(ctx, req);
    const { lease } = parseInput(z.object({ lease: z.string().min(1).max(100) }), req.params, 'params');
    const body = parseInput(testReportSchema, req.body, 'body');
    const run = await leaseRun(ctx.db, agent.id, lease);
    await storeTestReport(ctx.db, run.runId, body, ctx.now());
    return reply.code(204).send();
  });
}
