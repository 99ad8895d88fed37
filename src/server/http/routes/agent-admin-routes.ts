import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { agentJsonSchema as AgentInfo } from '../../../api/accounts.js';
import type { ServerContext } from '../../context.js';
import { createAgent, listAgents } from '../../queue/agent-registry.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

/** Admins register agents (the token is shown once), see what they run, and revoke them. */
export function registerAgentAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/agents',
    summary: 'Register an agent; its token is shown only in this answer',
    tags: ['agents'],
    status: 201,
    body: z.object({
      name: z
        .string()
        .trim()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/,
          'letters, digits, _ . - (at most 63, starting with a letter or digit)',
        ),
    }),
    response: z.object({ id: z.string(), name: z.string(), token: z.string() }),
    handler: async ({ body }, req) => {
      requireRole(req, 'admin');
      const { agent, token } = await createAgent(ctx.db, {
        name: body.name,
        embedded: false,
        now: ctx.now(),
      });
      return { id: agent.id, name: agent.name, token };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/agents',
    summary: 'Agents, when they were last seen, and the executions they hold',
    tags: ['agents'],
    response: z.array(AgentInfo),
    handler: async (_input, req) => {
      requireRole(req, 'admin');
      return listAgents(ctx.db);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/agents/:id',
    summary: 'Revoke an agent: its token stops working and its runs end at once, as for a lost agent',
    tags: ['agents'],
    status: 204,
    params: z.object({ id: z.string().min(1).max(100) }),
    handler: async ({ params }, req) => {
      requireRole(req, 'admin');
      await ctx.queue.revokeAgent(params.id);
    },
  });
}
