import type { Kysely } from 'kysely';
import type { InsightsSummaryJson } from '../../api/insights.js';
import type { Database } from '../store/tables.js';
import { computeInsights, type InsightsResult } from './compute-insights.js';
import type { InsightsFactCache } from './insights-cache.js';
import { type InsightsScope, loadInsights } from './load-insights.js';
import { DAY_MS, WEEK_MS, weekStart } from './time-math.js';

/** A production release within this long after another makes the earlier one a failure, unless asked otherwise. */
export const DEFAULT_HOTFIX_WINDOW_MS = 7 * DAY_MS;

/** The insights of a scope: summary, releases, and (`withCommits`) the commits behind it. */
export async function insightsOf(
  db: Kysely<Database>,
  scope: InsightsScope,
  opts: { withCommits?: boolean; cache?: InsightsFactCache } = {},
): Promise<InsightsResult> {
  return computeInsights(await loadInsights(db, scope, opts.withCommits ?? false, opts.cache));
}

export interface WeeklySummary {
  /** Monday 00:00 UTC of the week summarised (ms), and the scope it covered. */
  week: number;
  scope: InsightsSummaryJson['scope'];
  current: Omit<InsightsSummaryJson, 'weeks' | 'scope' | 'segments' | 'valueStream'>;
  previous: Omit<InsightsSummaryJson, 'weeks' | 'scope' | 'segments' | 'valueStream'>;
  /** Where lead time went this week (mean ms per change), and its largest segment. */
  valueStream: Record<string, number>;
  bottleneck: string | null;
}

/**
 * The delivery summary of the last complete week (Monday–Sunday, UTC) before `now`, with the
 * week before it for the trend: the JSON a weekly notification sends. Projects / application /
 * environment narrow it like the insights API (default: every project, production environments).
 */
export async function weeklySummary(
  db: Kysely<Database>,
  opts: {
    now: number;
    projects?: string[];
    application?: string;
    environment?: string;
    hotfixWindowMs?: number;
  },
): Promise<WeeklySummary> {
  const week = weekStart(opts.now) - WEEK_MS;
  const base = {
    ...(opts.projects ? { projects: opts.projects } : {}),
    ...(opts.application ? { application: opts.application } : {}),
    ...(opts.environment ? { environment: opts.environment } : {}),
    hotfixWindowMs: opts.hotfixWindowMs ?? DEFAULT_HOTFIX_WINDOW_MS,
  };
  const current = (await insightsOf(db, { ...base, from: week, to: week + WEEK_MS })).summary;
  const previous = (await insightsOf(db, { ...base, from: week - WEEK_MS, to: week })).summary;
  const strip = ({ weeks: _w, scope: _s, segments: _g, valueStream: _v, ...rest }: InsightsSummaryJson) =>
    rest;
  const largest = Object.entries(current.valueStream).sort((a, b) => b[1] - a[1])[0];
  return {
    week,
    scope: current.scope,
    current: strip(current),
    previous: strip(previous),
    valueStream: current.valueStream,
    bottleneck: largest && largest[1] > 0 ? largest[0] : null,
  };
}
