import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  cancelAnswerSchema,
  environmentReportAnswerSchema,
  environmentReportSchema,
  jobResultSchema,
  leaseRequestSchema,
  leaseSchema,
  logBatchSchema,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  runFinishSchema,
  trafficReportAnswerSchema,
  trafficReportSchema,
} from '../../../protocol/agent-protocol.js';
import type { ServerContext } from '../../context.js';
import { recordEnvironmentReport } from '../../deploys/environment-observations.js';
import { invalid, unauthorized } from '../../errors.js';
import { declareAgentInfo, declareLabels, findAgentByToken } from '../../queue/agent-registry.js';
import type { AgentRow } from '../../store/tables.js';
import { recordTrafficReport } from '../../traffic/traffic-reports.js';
import { defineRoute, parseInput } from '../define-route.js';
import { registerAgentAdminRoutes } from './agent-admin-routes.js';

/** The longest a lease request is held open; agents ask for less in tests. Below common proxy timeouts. */
export const LONG_POLL_MAX_MS = 25_000;

const leaseParams = z.object({ lease: z.string().min(1).max(100) });

/**
 * The agent protocol over HTTP (see protocol/agent-protocol.ts for the calls), plus the admin
 * routes that manage agents. Protocol calls authenticate with the agent's own token, not a
 * user's (the user authentication hook leaves /api/agent/ alone), and every lease call is
 * checked against the agent holding the lease by the queue (404 otherwise).
 */
export function registerAgentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerAgentAdminRoutes(app, ctx);

  // Not a defineRoute: it answers 204 when there is nothing, after holding the request open.
  document(ctx, 'POST', '/api/agent/lease', 'Long-poll for the next execution (204 when none)', {
    body: leaseRequestSchema,
    response: leaseSchema,
  });
  app.post('/api/agent/lease', async (req, reply) => {
    const agent = await callingAgent(ctx, req);
    const body = parseInput(leaseRequestSchema, req.body ?? { waitMs: LONG_POLL_MAX_MS }, 'body');
    if (body.labels) await declareLabels(ctx.db, agent.id, body.labels);
    if (body.agent) await declareAgentInfo(ctx.db, agent.id, body.agent);
    const gone = abortOnDisconnect(reply);
    try {
      const lease = await ctx.queue.lease(agent.id, Math.min(body.waitMs, LONG_POLL_MAX_MS), gone.signal);
      if (!lease) return reply.code(204).send();
      return lease;
    } finally {
      gone.release();
    }
  });

  defineLeaseCall(app, ctx, {
    path: 'heartbeat',
    summary: 'Keep a lease alive; the answer says whether to cancel the run',
    response: cancelAnswerSchema,
    call: (agentId, lease) => ctx.queue.heartbeat(agentId, lease),
  });

  defineLeaseCall(app, ctx, {
    path: 'jobs',
    summary: "Report a job's new state",
    body: jobResultSchema,
    response: cancelAnswerSchema,
    call: (agentId, lease, body) => ctx.queue.jobUpdate(agentId, lease, body),
  });

  defineLeaseCall(app, ctx, {
    path: 'logs',
    summary: 'Append numbered log lines of one job',
    body: logBatchSchema,
    response: cancelAnswerSchema,
    call: (agentId, lease, body) => ctx.queue.logs(agentId, lease, body),
  });

  defineLeaseCall(app, ctx, {
    path: 'finish',
    summary: 'End the execution with its result',
    status: 204,
    body: runFinishSchema,
    call: (agentId, lease, body) => ctx.queue.finish(agentId, lease, body),
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/agent/environments',
    summary: "What runs on the agent's engine (every deployed environment), for observed health",
    tags: ['agent protocol'],
    auth: false,
    body: environmentReportSchema,
    response: environmentReportAnswerSchema,
    // Bounded twice: the schema's 2,000 environments and the server's 1 MiB body limit.
    handler: async ({ body }, req) => {
      const agent = await callingAgent(ctx, req);
      return recordEnvironmentReport(observationDeps(ctx), agent.id, body);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/agent/traffic',
    summary: "Per-minute traffic counters of the agent's proxies, added to the stored minutes",
    tags: ['agent protocol'],
    auth: false,
    body: trafficReportSchema,
    response: trafficReportAnswerSchema,
    handler: async ({ body }, req) => {
      const agent = await callingAgent(ctx, req);
      return recordTrafficReport(ctx.db, agent.id, body, ctx.now());
    },
  });

  // Not a defineRoute: the answer is a tar stream, not JSON.
  document(ctx, 'GET', '/api/agent/leases/:lease/source.tar', "The tree at the run's commit, as a tar", {
    params: leaseParams,
  });
  app.get('/api/agent/leases/:lease/source.tar', async (req, reply) => {
    const agent = await callingAgent(ctx, req);
    const { lease } = parseInput(leaseParams, req.params, 'params');
    const tar = await ctx.queue.source(agent.id, lease);
    return reply.type('application/x-tar').header('x-content-type-options', 'nosniff').send(tar);
  });
}

/** What recording an agent's environment report needs (the embedded agent uses it too). */
export function observationDeps(ctx: ServerContext) {
  return { db: ctx.db, events: ctx.events, now: ctx.now, staleMs: ctx.config.observationStaleMs };
}

/**
 * A protocol call on one lease (`POST /api/agent/leases/:lease/<path>`): the calling agent is
 * authenticated by its own token, then the queue checks that it holds the lease.
 */
function defineLeaseCall<B extends z.ZodType = z.ZodType<unknown>>(
  app: FastifyInstance,
  ctx: ServerContext,
  spec: {
    path: string;
    summary: string;
    body?: B;
    response?: z.ZodType;
    status?: number;
    call: (agentId: string, lease: string, body: z.infer<B>) => Promise<unknown>;
  },
): void {
  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: `/api/agent/leases/:lease/${spec.path}`,
    summary: spec.summary,
    tags: ['agent protocol'],
    auth: false,
    params: leaseParams,
    body: spec.body,
    response: spec.response,
    status: spec.status,
    handler: async ({ params, body }, req) => {
      const agent = await callingAgent(ctx, req);
      return spec.call(agent.id, params.lease, body);
    },
  });
}

/**
 * The protocol version is checked first, so an agent of another version learns exactly that
 * instead of a confusing validation error; then the agent token.
 */
export async function callingAgent(ctx: ServerContext, req: FastifyRequest): Promise<AgentRow> {
  const version = req.headers[PROTOCOL_HEADER];
  if (version !== String(PROTOCOL_VERSION)) {
    throw invalid(
      `headers.${PROTOCOL_HEADER}`,
      `this server speaks agent protocol ${PROTOCOL_VERSION}; the request says ${version === undefined ? 'nothing' : JSON.stringify(version)} (send X-Slipway-Protocol: ${PROTOCOL_VERSION}, or use an agent of the server's version)`,
    );
  }
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const agent = match ? await findAgentByToken(ctx.db, match[1] as string) : null;
  if (!agent)
    throw unauthorized(
      'send a valid agent token: Authorization: Bearer sla_… (create one with POST /api/agents)',
    );
  return agent;
}

/** Aborts when the client goes away before we answered, so a long poll stops waiting for it. */
function abortOnDisconnect(reply: FastifyReply): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableEnded) controller.abort();
  };
  reply.raw.on('close', onClose);
  return { signal: controller.signal, release: () => reply.raw.off('close', onClose) };
}

/** Records a hand-written route for the OpenAPI document, like defineRoute does. */
function document(
  ctx: ServerContext,
  method: 'GET' | 'POST',
  url: string,
  summary: string,
  shapes: { params?: z.ZodType; body?: z.ZodType; response?: z.ZodType },
): void {
  ctx.routes.routes.push({
    method,
    url,
    summary,
    tags: ['agent protocol'],
    status: 200,
    auth: false,
    ...shapes,
  });
}
