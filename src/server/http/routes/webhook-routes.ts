import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { notFound, unauthorized } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import type { Forge } from '../../store/tables.js';
import { claimDelivery, deliveryKey } from '../../webhooks/deliveries.js';
import { gitea } from '../../webhooks/gitea.js';
import { github } from '../../webhooks/github.js';
import { gitlab } from '../../webhooks/gitlab.js';
import { parseHookBody } from '../../webhooks/hook-body.js';
import type { ForgeAdapter } from '../../webhooks/hook-event.js';
import { startHookRun } from '../../webhooks/start-hook-run.js';
import { defineRoute } from '../define-route.js';

/**
 * `POST /api/hooks/:project/:forge` — pushes and pull requests from GitHub, Gitea and GitLab.
 * In order (security rule 3): body size limit → signature over the raw bytes → JSON → the event
 * → claim the delivery id (a retry answers 200 `{duplicate: true}`) → 202. The fetch and the run
 * happen after the answer: forges give up after ~10 s, a fetch can take longer. The delivery row
 * keeps the event, so a server that dies before the run exists starts it at restart.
 */

const ADAPTERS: Record<Forge, ForgeAdapter> = { github, gitea, gitlab };

export function registerWebhookRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Encapsulated: in this scope every body stays raw bytes (signatures are over bytes, not
  // over re-serialised JSON), capped at the webhook limit (413 beyond).
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: ctx.config.webhookMaxBytes },
      (_req, body, done) => done(null, body),
    );
    defineRoute(scope, ctx.routes, {
      method: 'POST',
      url: '/api/hooks/:project/:forge',
      summary: 'Forge webhook (push, tag, pull/merge request); authenticated by its signature',
      tags: ['webhooks'],
      auth: false,
      status: 202,
      params: z.object({ project: z.string().min(1).max(200), forge: z.enum(['github', 'gitea', 'gitlab']) }),
      response: z.object({
        delivery: z.string().optional(),
        ignored: z.string().optional(),
        duplicate: z.boolean().optional(),
      }),
      handler: async ({ params }, req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const project = await findProject(ctx.db, params.project);
        if (project.source_kind !== 'remote' || (project.forge !== null && project.forge !== params.forge)) {
          throw notFound(`${params.forge} webhook of project "${project.name}"`);
        }
        const adapter = ADAPTERS[params.forge];
        if (!adapter.verify(req.headers, raw, ctx.secretBox.open(project.webhook_secret))) {
          throw unauthorized('the webhook signature does not match the project’s webhook secret');
        }
        const hook = adapter.classify(req.headers, parseHookBody(raw, req.headers['content-type']));
        if (hook.kind === 'ignored') return { ignored: hook.reason };

        const key = deliveryKey(params.forge, adapter.deliveryId(req.headers), raw);
        if (!(await claimDelivery(ctx.db, key, project.id, hook, ctx.now()))) {
          return reply.code(200).send({ duplicate: true });
        }
        void startHookRun(ctx, project, hook, key);
        return { delivery: key };
      },
    });
  });
}
