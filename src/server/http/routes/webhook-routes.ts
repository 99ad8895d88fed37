import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { forbidden, unauthorized } from '../../errors.js';
import { FORGE } from '../../projects/project-fields.js';
import type { Database, Forge, ProjectRow } from '../../store/tables.js';
import { claimDelivery, deliveryKey } from '../../webhooks/deliveries.js';
import { gitea } from '../../webhooks/gitea.js';
import { gitee } from '../../webhooks/gitee.js';
import { github } from '../../webhooks/github.js';
import { gitlab } from '../../webhooks/gitlab.js';
import { parseHookBody } from '../../webhooks/hook-body.js';
import type { ForgeAdapter } from '../../webhooks/hook-event.js';
import { bindDelivery } from '../../webhooks/repository-binding.js';
import { startHookRun } from '../../webhooks/start-hook-run.js';
import { defineRoute } from '../define-route.js';

/**
 * `POST /api/hooks/:project/:forge` — pushes and pull requests from GitHub, Gitea, GitLab and Gitee.
 * In order (security rule 3): body size limit → signature over the raw bytes → JSON → the event
 * → the payload's repository is the project's (repository-binding.ts) → claim the delivery id (a retry answers 200 `{duplicate: true}`) → 202. The fetch and the run
 * happen after the answer: forges give up after ~10 s, a fetch can take longer. The delivery row
 * keeps the event, so a server that dies before the run exists starts it at restart.
 */

const ADAPTERS: Record<Forge, ForgeAdapter> = { github, gitea, gitlab, gitee };
const BAD_SIGNATURE = 'the webhook signature does not match the project’s webhook secret';

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
      params: z.object({ project: z.string().min(1).max(200), forge: FORGE }),
      response: z.object({
        delivery: z.string().optional(),
        ignored: z.string().optional(),
        duplicate: z.boolean().optional(),
      }),
      handler: async ({ params }, req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const adapter = ADAPTERS[params.forge];
        const project = await hookTarget(ctx, params.project, params.forge);
        // An unknown project (or one that takes no such webhook) answers exactly like a bad
        // signature, after the same work: hook URLs cannot be used to probe project names.
        const secret = project ? ctx.secretBox.open(project.webhook_secret) : randomBytes(32).toString('hex');
        if (!adapter.verify(req.headers, raw, secret, ctx.now()) || !project)
          throw unauthorized(BAD_SIGNATURE);
        const payload = parseHookBody(raw, req.headers['content-type']);
        const hook = adapter.classify(req.headers, payload);
        if (hook.kind === 'ignored') return { ignored: hook.reason };
        // Signed by this project's secret is not enough: the payload must be about its repository.
        const binding = await bindDelivery(ctx.db, project, params.forge, adapter.repository(payload));
        if (!binding.ok) throw forbidden(`${binding.reason}; nothing was started`);

        const key = deliveryKey(params.forge, adapter.deliveryId(req.headers, payload), raw);
        if (!(await claimDelivery(ctx.db, key, project.id, hook, ctx.now()))) {
          return reply.code(200).send({ duplicate: true });
        }
        void startHookRun(ctx, project, hook, key);
        return { delivery: key };
      },
    });
  });
}

/**
 * The project a hook URL names, when it takes webhooks of this forge (a remote project of that
 * forge, or of no forge set); null otherwise. Looked up by name only.
 */
async function hookTarget(
  ctx: { db: Kysely<Database> },
  name: string,
  forge: Forge,
): Promise<ProjectRow | null> {
  const project = await ctx.db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
  if (!project) return null;
  if (project.source_kind !== 'remote') return null;
  return project.forge === null || project.forge === forge ? project : null;
}
