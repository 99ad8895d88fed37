import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  impactCardJsonSchema,
  type SideJson,
  timelineJsonSchema,
  verdictListJsonSchema,
} from '../../../api/impact.js';
import { minRequestsNumber, windowText } from '../../../api/impact-config.js';
import { parseDuration } from '../../../domain/duration.js';
import type { ServerContext } from '../../context.js';
import { findApplication, findEnvironment } from '../../deploys/applications-service.js';
import { invalid, notFound } from '../../errors.js';
import { impactCard } from '../../impact/impact-card.js';
import { ImpactCardCache } from '../../impact/impact-card-cache.js';
import { impactTimeline, stepFor } from '../../impact/impact-timeline.js';
import { findProject } from '../../projects/find-project.js';
import type { ApplicationRow, EnvironmentRow } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { appParams } from './application-routes.js';

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 31 * DAY_MS;

const instant = (where: string) =>
  z
    .string()
    .refine(
      (v) => /^\d{10,16}$/.test(v) || !Number.isNaN(Date.parse(v)),
      `${where}: an ISO time such as 2026-11-01T12:00:00Z, or Unix milliseconds`,
    )
    .optional();
const timeOf = (v: string) => (/^\d{10,16}$/.test(v) ? Number(v) : Date.parse(v));

/** Overrides of the environment's `impact:` settings, per request. */
const settingsQuery = z.object({
  window: windowText.optional(),
  minRequests: z.coerce.number().pipe(minRequestsNumber).optional(),
});

const timelineQuery = settingsQuery
  .extend({
    /** An environment name; absent: the first production environment, else the first one. */
    environment: z.string().min(1).max(63).optional(),
    from: instant('from'),
    to: instant('to'),
    step: z
      .string()
      .refine((v) => (parseDuration(v) ?? 0) >= 60_000, 'a duration of at least 1m, such as 5m or 1h')
      .optional(),
  })
  .strict();

/**
 * Release impact (issue #13): the per-release card (before vs after, verdict, canary vs stable,
 * client errors, feedback), the timeline of an environment with release markers, and the
 * verdicts of recent releases. Readable by whoever can read the releases (viewer).
 */
export function registerImpactRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tags = ['impact'];
  const cache = new ImpactCardCache();
  const base = '/api/projects/:project/applications/:app';

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/impact`,
    summary:
      'Traffic of an environment over a range (requests, error rate, p95 per step) with the releases as markers and their verdicts',
    tags,
    params: appParams,
    query: timelineQuery,
    response: timelineJsonSchema,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const application = await applicationOf(ctx, params);
      const environment = query.environment
        ? await findEnvironment(ctx.db, application, query.environment)
        : await defaultEnvironment(ctx, application);
      const now = ctx.now();
      const to = query.to ? timeOf(query.to) : now;
      const from = query.from ? timeOf(query.from) : to - DAY_MS;
      if (from >= to) throw invalid('query.from', 'query.from: the range must start before it ends');
      if (to - from > MAX_RANGE_MS)
        throw invalid('query.from', 'query.from: the range may span at most 31 days');
      const stepMs = stepFor(from, to, query.step ? parseDuration(query.step) : null);
      return impactTimeline(
        ctx.db,
        {
          environment,
          from,
          to,
          stepMs,
          now,
          request: { window: query.window, minRequests: query.minRequests },
        },
        cache,
      );
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/impact/verdicts`,
    summary: 'Impact verdicts of the newest releases of an application (all environments, or one)',
    tags,
    params: appParams,
    query: settingsQuery
      .extend({
        env: z.string().min(1).max(63).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(30),
      })
      .strict(),
    response: verdictListJsonSchema,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const application = await applicationOf(ctx, params);
      const envs = await environmentsOf(ctx, application);
      let q = ctx.db
        .selectFrom('releases')
        .selectAll()
        .where('application_id', '=', application.id)
        .orderBy('number', 'desc')
        .limit(query.limit);
      if (query.env)
        q = q.where('environment_id', '=', (await findEnvironment(ctx.db, application, query.env)).id);
      const releases = [];
      for (const release of await q.execute()) {
        const environment = envs.get(release.environment_id);
        if (!environment) continue;
        const card = await impactCard(
          ctx.db,
          { release, environment, request: query, now: ctx.now() },
          cache,
        );
        releases.push({
          number: release.number,
          environment: environment.name,
          status: release.status,
          verdict: card.phase === 'not_live' ? null : card.verdict,
          phase: card.phase,
          before: brief(card.before),
          after: brief(card.after),
          canaryVerdict: card.canary?.verdict ?? null,
        });
      }
      return { releases };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${base}/releases/:number/impact`,
    summary:
      'Impact card of a release: traffic, error rate and latency before vs after (two-proportion z-test, Mann–Whitney U), verdict, canary vs stable, client errors, feedback',
    tags,
    params: appParams.extend({ number: z.coerce.number().int().min(1) }),
    query: settingsQuery.strict(),
    response: impactCardJsonSchema,
    handler: async ({ params, query }, req) => {
      requireRole(req, 'viewer');
      const application = await applicationOf(ctx, params);
      const release = await ctx.db
        .selectFrom('releases')
        .selectAll()
        .where('application_id', '=', application.id)
        .where('number', '=', params.number)
        .executeTakeFirst();
      if (!release) throw notFound(`release #${params.number} of application "${application.name}"`);
      const environment = (await environmentsOf(ctx, application)).get(release.environment_id);
      if (!environment) throw notFound(`environment of release #${params.number}`);
      return impactCard(ctx.db, { release, environment, request: query, now: ctx.now() }, cache);
    },
  });
}

const brief = (s: SideJson) => ({
  release: s.release,
  requests: s.requests,
  errorRate: s.errorRate,
  p95: s.p95,
});

async function applicationOf(
  ctx: ServerContext,
  params: { project: string; app: string },
): Promise<ApplicationRow> {
  const project = await findProject(ctx.db, params.project);
  return findApplication(ctx.db, project, params.app);
}

async function environmentsOf(
  ctx: ServerContext,
  application: ApplicationRow,
): Promise<Map<string, EnvironmentRow>> {
  const rows = await ctx.db
    .selectFrom('environments')
    .selectAll()
    .where('application_id', '=', application.id)
    .execute();
  return new Map(rows.map((e) => [e.id, e]));
}

/** The first production environment, else the first in the application's order. */
async function defaultEnvironment(ctx: ServerContext, application: ApplicationRow): Promise<EnvironmentRow> {
  const rows = await ctx.db
    .selectFrom('environments')
    .selectAll()
    .where('application_id', '=', application.id)
    .orderBy('position')
    .execute();
  const chosen = rows.find((e) => e.production === 1) ?? rows[0];
  if (!chosen) throw notFound(`an environment of application "${application.name}"`);
  return chosen;
}
