import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { siteJsonSchema as siteJson } from '../../../api/behaviour.js';
import { behaviourReport } from '../../collect/behaviour-queries.js';
import type { CollectService } from '../../collect/collect-service.js';
import { listFeedback, resolveFeedback } from '../../collect/feedback-inbox.js';
import { siteOriginSchema } from '../../collect/site-origins.js';
import type { SiteSettings } from '../../collect/site-service.js';
import type { ServerContext } from '../../context.js';
import { findApplication } from '../../deploys/applications-service.js';
import { invalid, notFound } from '../../errors.js';
import { findProject } from '../../projects/find-project.js';
import type { Role } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { publicOrigin } from '../origin.js';
import { requireRole } from '../principal.js';
import { appParams } from './application-routes.js';

const DAY = 86_400_000;

const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * The signed-in side of user behaviour and feedback (issue #13): an application's site settings
 * (maintainers change them), its behaviour report and its feedback inbox (read like releases:
 * any signed-in user; resolving a message is a maintainer's action).
 */
export function registerBehaviourRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  collect: CollectService,
): void {
  const tags = ['behaviour'];
  const base = '/api/projects/:project/applications/:app';

  const toJson = (req: FastifyRequest, site: SiteSettings | null) => ({
    configured: site !== null,
    siteKey: site?.siteKey ?? null,
    origins: site?.origins ?? [],
    feedbackEnabled: site?.feedbackEnabled ?? false,
    snippet: site
      ? `<script defer src="${publicOrigin(ctx.config, req)}/s.js" data-site="${site.siteKey}"></script>`
      : null,
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/collect-site`,
    summary:
      "The application's behaviour site: public key, declared origins (→ environment), feedback widget, snippet",
    tags,
    params: appParams,
    response: siteJson,
    handler: async ({ params }, req) => {
      const application = await applicationOf(ctx, req, params, 'viewer');
      return toJson(req, await collect.sites.settings(application.id));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PUT',
    url: `${base}/collect-site`,
    summary:
      'Create or change the behaviour site (origins allowed to send events, each optionally mapped to an environment; feedback widget on/off)',
    tags,
    params: appParams,
    body: z
      .object({
        origins: z.array(siteOriginSchema).max(50),
        feedbackEnabled: z.boolean().default(false),
      })
      .strict(),
    response: siteJson,
    handler: async ({ params, body }, req) => {
      const application = await applicationOf(ctx, req, params, 'maintainer');
      return toJson(req, await collect.sites.save(application.id, body));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/behaviour`,
    summary:
      'Visitors, page views, top pages, referrers, custom events and client errors over time (ms range, default the last 7 days), per release or one release',
    tags,
    params: appParams,
    query: z.object({
      from: z.coerce.number().int().min(0).optional(),
      to: z.coerce.number().int().min(0).optional(),
      release: z.coerce.number().int().min(1).optional(),
    }),
    handler: async ({ params, query }, req) => {
      const application = await applicationOf(ctx, req, params, 'viewer');
      const to = query.to ?? ctx.now();
      const from = query.from ?? to - 7 * DAY;
      if (from >= to) throw invalid('query.from', 'query.from: must be before query.to');
      if (to - from > 366 * DAY) throw invalid('query.from', 'query.from: the range is at most 366 days');
      const releaseId = query.release ? await releaseIdOf(ctx, application.id, query.release) : null;
      return {
        release: query.release ?? null,
        ...(await behaviourReport(ctx.db, { applicationId: application.id, from, to, releaseId })),
      };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/feedback`,
    summary: 'The feedback inbox, newest first (filter by release number, rating, resolved)',
    tags,
    params: appParams,
    query: z.object({
      release: z.coerce.number().int().min(1).optional(),
      rating: z.coerce.number().int().min(1).max(5).optional(),
      resolved: boolText.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    handler: async ({ params, query }, req) => {
      const application = await applicationOf(ctx, req, params, 'viewer');
      const releaseId = query.release ? await releaseIdOf(ctx, application.id, query.release) : null;
      const messages = await listFeedback(ctx.db, {
        applicationId: application.id,
        releaseId,
        rating: query.rating ?? null,
        resolved: query.resolved ?? null,
        limit: query.limit,
      });
      return { messages };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'PATCH',
    url: `${base}/feedback/:id`,
    summary: 'Mark a feedback message resolved (or open again)',
    tags,
    params: appParams.extend({ id: z.string().uuid() }),
    body: z.object({ resolved: z.boolean() }).strict(),
    status: 204,
    handler: async ({ params, body }, req) => {
      const application = await applicationOf(ctx, req, params, 'maintainer');
      await resolveFeedback(ctx.db, application.id, params.id, body.resolved ? ctx.now() : null);
    },
  });
}

async function applicationOf(
  ctx: ServerContext,
  req: FastifyRequest,
  params: { project: string; app: string },
  role: Role,
) {
  requireRole(req, role);
  const project = await findProject(ctx.db, params.project);
  return findApplication(ctx.db, project, params.app);
}

async function releaseIdOf(ctx: ServerContext, applicationId: string, number: number): Promise<string> {
  const row = await ctx.db
    .selectFrom('releases')
    .select('id')
    .where('application_id', '=', applicationId)
    .where('number', '=', number)
    .executeTakeFirst();
  if (!row) throw notFound(`release #${number}`);
  return row.id;
}
