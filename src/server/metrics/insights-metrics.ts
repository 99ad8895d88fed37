import type { Kysely } from 'kysely';
import { computeInsights } from '../insights/compute-insights.js';
import type { InsightsFactCache } from '../insights/insights-cache.js';
import { DEFAULT_HOTFIX_WINDOW_MS } from '../insights/insights-queries.js';
import { loadInsights } from '../insights/load-insights.js';
import { DAY_MS } from '../insights/time-math.js';
import type { Database } from '../store/tables.js';
import type { PrometheusText } from './prometheus-text.js';

/**
 * DORA gauges per project over the production environments and the last 30 days, as the
 * insights API computes them (a sliding window: read the current value, not rate()). A number
 * without data (no change shipped, no failure) is omitted rather than reported as 0.
 * The facts come from the API's facts cache when given: a scrape every 15 s then reads no
 * release rows at all, and the insights follow-up invalidates an environment when a release of
 * it ends (delivery event bus), so a gauge is never older than the table.
 */
export async function insightsMetrics(
  db: Kysely<Database>,
  now: number,
  out: PrometheusText,
  cache?: InsightsFactCache,
): Promise<void> {
  const data = await loadInsights(
    db,
    { from: now - 30 * DAY_MS, to: now, hotfixWindowMs: DEFAULT_HOTFIX_WINDOW_MS },
    false,
    cache,
  );
  const projects = new Map<string, Set<string>>();
  for (const [id, env] of data.environments) {
    const set = projects.get(env.project) ?? new Set<string>();
    set.add(id);
    projects.set(env.project, set);
  }
  const families = [
    ['slipway_insights_deployments_30d', 'Successful production releases in the last 30 days.'],
    [
      'slipway_insights_lead_time_seconds',
      'Lead time for changes (author time to production), last 30 days.',
    ],
    ['slipway_insights_change_failure_ratio', 'Change failure rate of production releases, last 30 days.'],
    ['slipway_insights_recovery_seconds', 'Median failed deployment recovery time, last 30 days.'],
    ['slipway_insights_rework_ratio', 'Unplanned production releases over all, last 30 days.'],
  ] as const;
  const samples = new Map<string, [number, Record<string, string>][]>(families.map(([n]) => [n, []]));
  for (const [project, envIds] of [...projects.entries()].sort()) {
    const { summary: s } = computeInsights({
      ...data,
      environments: new Map([...data.environments].filter(([id]) => envIds.has(id))),
      facts: data.facts.filter((f) => envIds.has(f.environment_id)),
    });
    const add = (name: string, value: number | null, labels: Record<string, string> = {}) => {
      if (value !== null) samples.get(name)?.push([value, { project, ...labels }]);
    };
    add('slipway_insights_deployments_30d', s.deploymentFrequency.deployments);
    const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
    add('slipway_insights_lead_time_seconds', seconds(s.leadTime.medianMs), { quantile: '0.5' });
    add('slipway_insights_lead_time_seconds', seconds(s.leadTime.p90Ms), { quantile: '0.9' });
    add('slipway_insights_change_failure_ratio', s.changeFailureRate.rate);
    add('slipway_insights_recovery_seconds', seconds(s.recoveryTime.medianMs));
    add('slipway_insights_rework_ratio', s.reworkRate.rate);
  }
  for (const [name, help] of families) {
    out.family(name, 'gauge', help);
    for (const [value, labels] of samples.get(name) ?? []) out.sample(name, value, labels);
  }
}
