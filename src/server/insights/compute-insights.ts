import type { InsightsChangeJson, InsightsReleaseJson, InsightsSummaryJson } from '../../api/insights.js';
import { type ClassifiedRelease, classifyEnvironment } from './classify-releases.js';
import { failureRateBand, frequencyBand, leadTimeBand, overallBand, recoveryBand } from './dora-bands.js';
import type { InsightsFact } from './fact-row.js';
import { quantile, quantiles, WEEK_MS, weeksBetween } from './time-math.js';
import { changeSegments, FIXED_SEGMENTS } from './value-stream.js';

export type { InsightsFact };

export interface InsightsCommit {
  release_id: string;
  sha: string;
  authored_at: number;
  pushed_at: number | null;
  released_at: number;
}

export interface EnvironmentName {
  project: string;
  application: string;
  name: string;
}

export interface InsightsData {
  from: number;
  to: number;
  hotfixWindowMs: number;
  environments: Map<string, EnvironmentName>;
  /** Facts of the environments, ending before `to` (and some history before `from`: context). */
  facts: InsightsFact[];
  /** First-shipped commits of releases that ended in [from, to), for the drill-down (may be empty: summaries use the facts' aggregates). */
  commits: InsightsCommit[];
}

export interface InsightsResult {
  summary: InsightsSummaryJson;
  releases: InsightsReleaseJson[];
  changes: InsightsChangeJson[];
}

/** The DORA metrics, the value stream and their weekly trend, from loaded rows (pure). */
export function computeInsights(data: InsightsData): InsightsResult {
  const { from, to } = data;
  const byEnv = new Map<string, InsightsFact[]>();
  for (const fact of data.facts) {
    const list = byEnv.get(fact.environment_id) ?? [];
    list.push(fact);
    byEnv.set(fact.environment_id, list);
  }
  const classified: ClassifiedRelease[] = [];
  for (const list of byEnv.values()) {
    list.sort((a, b) => a.number - b.number);
    classified.push(...classifyEnvironment(list, data.hotfixWindowMs));
  }
  const inRange = classified
    .filter((c) => c.fact.ended_at >= from && c.fact.ended_at < to)
    .sort((a, b) => a.fact.ended_at - b.fact.ended_at);
  // Commits are loaded for the drill-down only; a summary skips indexing the facts by id.
  const factById = new Map(data.commits.length > 0 ? data.facts.map((f) => [f.release_id, f]) : []);
  const changes: InsightsChangeJson[] = [];
  for (const commit of data.commits) {
    const fact = factById.get(commit.release_id);
    const env = fact && data.environments.get(fact.environment_id);
    if (!fact || !env || commit.released_at < from || commit.released_at >= to) continue;
    changes.push({
      sha: commit.sha,
      project: env.project,
      application: env.application,
      environment: env.name,
      releaseNumber: fact.number,
      runNumber: fact.source_run_number,
      authoredAt: commit.authored_at,
      pushedAt: commit.pushed_at,
      releasedAt: commit.released_at,
      leadTimeMs: Math.max(0, commit.released_at - commit.authored_at),
      segments: changeSegments(commit.authored_at, commit.pushed_at, fact),
    });
  }
  changes.sort((a, b) => b.releasedAt - a.releasedAt || (a.sha < b.sha ? -1 : a.sha > b.sha ? 1 : 0));
  const releases = inRange.map((c) => releaseJson(c, data.environments)).reverse();
  return { summary: summarise(data, inRange), releases, changes };
}

function summarise(data: InsightsData, releases: ClassifiedRelease[]): InsightsSummaryJson {
  const m = metrics(releases);
  const range = data.to - data.from;
  const bands = {
    frequency: frequencyBand(m.deployments, range),
    lead: leadTimeBand(m.leadMedian),
    failure: failureRateBand(m.cfr),
    recovery: recoveryBand(m.recoveryMedian),
  };
  const segments = segmentOrder(releases);
  // Releases bucketed by week in one pass (they are sorted by end), not filtered once per week.
  const weekStarts = weeksBetween(data.from, data.to);
  const buckets = weekStarts.map(() => [] as ClassifiedRelease[]);
  for (const r of releases) {
    const index = Math.floor((r.fact.ended_at - (weekStarts[0] ?? 0)) / WEEK_MS);
    buckets[index]?.push(r);
  }
  const weeks = weekStarts.map((week, index) => {
    const wm = metrics(buckets[index] ?? []);
    return {
      week,
      deployments: wm.deployments,
      leadTimeMedianMs: wm.leadMedian,
      changeDeployments: wm.changeDeployments,
      failures: wm.failures,
      changeFailureRate: wm.cfr,
      recoveryMedianMs: wm.recoveryMedian,
      unplanned: wm.unplanned,
      reworkRate: wm.rework,
      changes: wm.changes,
      valueStream: wm.valueStream,
    };
  });
  return {
    scope: {
      from: data.from,
      to: data.to,
      environments: [...data.environments.values()],
      hotfixWindowMs: data.hotfixWindowMs,
    },
    deploymentFrequency: {
      deployments: m.deployments,
      perWeek: range > 0 ? Math.round((m.deployments / (range / WEEK_MS)) * 100) / 100 : 0,
      band: bands.frequency,
    },
    leadTime: {
      changes: m.changes,
      medianMs: m.leadMedian,
      p90Ms: m.leadP90,
      fromPushMedianMs: m.pushMedian,
      fromPushP90Ms: m.pushP90,
      band: bands.lead,
    },
    changeFailureRate: {
      changeDeployments: m.changeDeployments,
      failures: m.failures,
      rate: m.cfr,
      band: bands.failure,
    },
    recoveryTime: {
      recovered: m.recovered,
      open: m.open,
      medianMs: m.recoveryMedian,
      band: bands.recovery,
    },
    reworkRate: { deployments: m.allDeployments, unplanned: m.unplanned, rate: m.rework },
    band: overallBand(Object.values(bands)),
    segments,
    valueStream: m.valueStream,
    weeks,
  };
}

/** The numbers of a set of releases; commits count through each release's aggregates. */
function metrics(releases: ClassifiedRelease[]) {
  const deployments = releases.filter((r) => r.deployment);
  const changeDeployments = deployments.filter((r) => r.change);
  const failures = releases.filter((r) => r.failure && r.change);
  const recoveries = failures.flatMap((r) => (r.recoveryMs === null ? [] : [r.recoveryMs]));
  const unplanned = deployments.filter((r) => r.rework !== null).length;
  const leads: number[] = [];
  const fromPush: number[] = [];
  const sums: Record<string, number> = {};
  for (const r of releases) {
    const fact = r.fact as InsightsFact;
    for (const [lead, push] of fact.lead_times) {
      leads.push(lead);
      if (push !== null) fromPush.push(push);
    }
    for (const [k, v] of fact.segment_sums) sums[k] = (sums[k] ?? 0) + v;
  }
  const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
  const [leadMedian = null, leadP90 = null] = quantiles(leads, [0.5, 0.9]);
  const [pushMedian = null, pushP90 = null] = quantiles(fromPush, [0.5, 0.9]);
  return {
    deployments: deployments.filter((r) => r.fact.status === 'succeeded').length,
    allDeployments: deployments.length,
    changes: leads.length,
    leadMedian,
    leadP90,
    pushMedian,
    pushP90,
    changeDeployments: changeDeployments.length,
    failures: failures.length,
    cfr: ratio(failures.length, changeDeployments.length),
    recovered: recoveries.length,
    open: failures.length - recoveries.length,
    recoveryMedian: quantile(recoveries, 0.5),
    unplanned,
    rework: ratio(unplanned, deployments.length),
    valueStream: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Math.round(v / leads.length)])),
  };
}

/** Fixed segments in flow order with the stages where the pipeline sits (by total time, most first). */
function segmentOrder(releases: ClassifiedRelease[]): string[] {
  const stageTotals = new Map<string, number>();
  for (const r of releases)
    for (const [k, v] of (r.fact as InsightsFact).segment_sums)
      if (k.startsWith('stage:')) stageTotals.set(k, (stageTotals.get(k) ?? 0) + v);
  const stages = [...stageTotals.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const fixed = [...FIXED_SEGMENTS];
  // Stages sit between the queue and the manual wait, where the pipeline runs.
  return [...fixed.slice(0, 3), ...stages, ...fixed.slice(3)];
}

function releaseJson(c: ClassifiedRelease, environments: Map<string, EnvironmentName>): InsightsReleaseJson {
  const f = c.fact as InsightsFact;
  const env = environments.get(f.environment_id) ?? { project: '', application: '', name: '' };
  return {
    project: env.project,
    application: env.application,
    environment: env.name,
    number: f.number,
    trigger: f.trigger,
    status: f.status,
    ref: f.ref_name,
    image: f.image,
    runNumber: f.source_run_number,
    endedAt: f.ended_at,
    deployment: c.deployment,
    failure: c.failure
      ? {
          kind: c.failure.kind,
          evidenceRelease: c.failure.evidence.releaseNumber,
          reason: c.failure.evidence.reason,
        }
      : null,
    rework: c.rework,
    recoveryMs: c.recoveryMs,
    recoveredBy: c.recoveredBy,
    commits: f.changes,
  };
}
