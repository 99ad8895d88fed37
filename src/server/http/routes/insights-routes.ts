import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { insightsChangesJsonSchema, insightsSummaryJsonSchema } from '../../../api/insights.js';
import { readableProjectIds } from '../../access/project-access.js';
import type { ServerContext } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import { DEFAULT_HOTFIX_WINDOW_MS, insightsOf, weeklySummary } from '../../insights/insights-queries.js';
import type { InsightsScope } from '../../insights/load-insights.js';
import { parseSince } from '../../insights/time-math.js';
import { findProject } from '../../projects/find-project.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

const duration = (what: string) =>
  z
    .string()
    .regex(/^\d{1,5}[mhdw]$/, `${what}: a duration such as 30d, 12w, 6h`)
    .optional();
const instant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO date such as 2026-11-01 or 2026-11-01T12:00:00Z')
  .optional();

export const insightsQuery = z
  .object({
    /** One project, or several separated by commas; absent: every project. */
    project: z.string().min(1).max(2000).optional(),
    app: z.string().min(1).max(63).optional(),
    /** An environment name; absent: the environments flagged production. */
    env: z.string().min(1).max(63).optional(),
    since: duration('since'),
    from: instant,
    to: instant,
    hotfixWindow: duration('hotfixWindow'),
  })
  .strict();
type InsightsQuery = z.infer<typeof insightsQuery>;

const changesQuery = insightsQuery.extend({
  /** Which number's releases and changes: every release, the failures, the unplanned ones, or the changes. */
  metric: z.enum(['deployments', 'lead_time', 'failures', 'recovery', 'rework']).default('deployments'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * Delivery insights (issue #12): DORA metrics, the value stream and the weekly summary of a
 * scope, readable by every signed-in user, over the projects they may read (issue #14) — and,
 * while public projects are on, by visitors who are not signed in, over the public ones.
 */
export function registerInsightsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tags = ['insights'];
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/insights/summary',
    summary:
      'DORA metrics (deployment frequency, lead time, change failure rate, recovery time, rework rate), bands, value stream and weekly trend',
    tags,
    query: insightsQuery,
    response: insightsSummaryJsonSchema,
    handler: async ({ query }, req) => {
      requireReader(ctx, req);
      return (
        await insightsOf(ctx.db, await scopeOf(ctx, req, query), {
          ...(ctx.insightsCache ? { cache: ctx.insightsCache } : {}),
        })
      ).summary;
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/insights/changes',
    summary: 'The releases and commits behind an insights number (drill-down), newest first',
    tags,
    query: changesQuery,
    response: insightsChangesJsonSchema,
    handler: async ({ query }, req) => {
      requireReader(ctx, req);
      const { metric, limit, offset, ...rest } = query;
      const result = await insightsOf(ctx.db, await scopeOf(ctx, req, rest), {
        withCommits: metric === 'lead_time',
        ...(ctx.insightsCache ? { cache: ctx.insightsCache } : {}),
      });
      const page = <T>(list: T[]) => list.slice(offset, offset + limit);
      if (metric === 'lead_time') {
        return {
          scope: result.summary.scope,
          total: result.changes.length,
          releases: [],
          changes: page(result.changes),
        };
      }
      const releases = result.releases.filter((r) =>
        metric === 'failures' || metric === 'recovery'
          ? r.failure !== null && r.deployment
          : metric === 'rework'
            ? r.rework !== null
            : r.deployment,
      );
      return { scope: result.summary.scope, total: releases.length, releases: page(releases), changes: [] };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/insights/weekly',
    summary: 'Summary of the last complete week (Monday–Sunday UTC) and the week before, as JSON',
    tags,
    query: insightsQuery.pick({ project: true, app: true, env: true, hotfixWindow: true }),
    handler: async ({ query }, req) => {
      requireReader(ctx, req);
      const projects = await projectNames(ctx, req, query.project);
      return weeklySummary(ctx.db, {
        now: ctx.now(),
        ...(projects ? { projects } : {}),
        ...(query.app ? { application: query.app } : {}),
        ...(query.env ? { environment: query.env } : {}),
        hotfixWindowMs: query.hotfixWindow
          ? (parseSince(query.hotfixWindow) as number)
          : DEFAULT_HOTFIX_WINDOW_MS,
      });
    },
  });
}

/** The scope a query asks for; a project that does not exist is a 404 naming it. */
export async function scopeOf(
  ctx: ServerContext,
  req: FastifyRequest,
  q: InsightsQuery,
): Promise<InsightsScope> {
  if (q.since && q.from) throw invalid('query.from', 'query.from: give either since or from, not both');
  const now = ctx.now();
  const to = q.to ? Date.parse(q.to) : now;
  const from = q.from ? Date.parse(q.from) : to - (parseSince(q.since ?? '30d') as number);
  if (from >= to) throw invalid('query.from', 'query.from: the range must start before it ends');
  const projects = await projectNames(ctx, req, q.project);
  return {
    ...(projects ? { projects } : {}),
    ...(q.app ? { application: q.app } : {}),
    ...(q.env ? { environment: q.env } : {}),
    from,
    to,
    hotfixWindowMs: q.hotfixWindow ? (parseSince(q.hotfixWindow) as number) : DEFAULT_HOTFIX_WINDOW_MS,
  };
}

/** Signed in, or a visitor while public projects are on (their aggregates cover public projects only). */
function requireReader(ctx: ServerContext, req: FastifyRequest): void {
  if (!req.principal && ctx.config.allowPublicProjects) return;
  requireRole(req, 'viewer');
}

/**
 * The projects an aggregate covers: those asked for (each must be readable, else the same 404 as
 * a missing one), or every project the caller may read — never one they may not (issue #14).
 */
async function projectNames(
  ctx: ServerContext,
  req: FastifyRequest,
  list: string | undefined,
): Promise<string[] | null> {
  const readable = await readableProjectIds(ctx.db, req.principal, {
    allowPublic: ctx.config.allowPublicProjects,
  });
  if (!list) {
    if (readable === 'all') return null;
    const rows = await ctx.db.selectFrom('projects').select(['id', 'name']).orderBy('name').execute();
    const names = rows.filter((r) => readable.has(r.id)).map((r) => r.name);
    // An empty list would mean "all projects" to the insights queries; no project is named "-".
    return names.length > 0 ? names : [NO_PROJECT];
  }
  const names = [
    ...new Set(
      list
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n.length > 0),
    ),
  ];
  for (const name of names) {
    const project = await findProject(ctx.db, name);
    if (readable !== 'all' && !readable.has(project.id)) throw notFound(`project "${name}"`);
  }
  return names;
}

/** Not a valid project name (names start with a letter or digit): matches nothing. */
const NO_PROJECT = '-';
