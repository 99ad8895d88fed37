import type { Kysely } from 'kysely';
import type { TimelineJson } from '../../api/impact.js';
import { histogramPercentile } from '../../domain/release-stats.js';
import type { Database, EnvironmentRow } from '../store/tables.js';
import { impactCard } from './impact-card.js';
import type { ImpactCardCache } from './impact-card-cache.js';
import { addMinute, emptyTraffic, floorMinute, MINUTE_MS, minuteRows } from './traffic-window.js';

/** A timeline has at most this many points; a longer range gets a coarser step. */
export const MAX_POINTS = 720;
/** Markers beyond this many (the newest are kept) would hide the chart anyway. */
export const MAX_MARKERS = 200;

/** The step for a range: the asked one if it keeps the points under MAX_POINTS, else coarser. */
export function stepFor(from: number, to: number, asked: number | null): number {
  const minimal = Math.max(MINUTE_MS, Math.ceil((to - from) / MAX_POINTS / MINUTE_MS) * MINUTE_MS);
  if (asked === null) return minimal;
  return Math.max(minimal, Math.ceil(asked / MINUTE_MS) * MINUTE_MS);
}

/**
 * The traffic of an environment over a range, one point per step (all releases and roles
 * together: what users of the environment experienced), and the releases in the range as
 * markers with their verdicts.
 */
export async function impactTimeline(
  db: Kysely<Database>,
  q: {
    environment: EnvironmentRow;
    from: number;
    to: number;
    stepMs: number;
    now: number;
    request: { window?: string | undefined; minRequests?: number | undefined };
  },
  cache?: ImpactCardCache,
): Promise<TimelineJson> {
  const from = floorMinute(q.from);
  const count = Math.max(1, Math.ceil((q.to - from) / q.stepMs));
  const buckets = Array.from({ length: count }, () => ({ ...emptyTraffic(), canary: 0 }));
  const rows = await minuteRows(db, { environmentId: q.environment.id, from, to: q.to });
  for (const row of rows) {
    const bucket = buckets[Math.floor((row.minute - from) / q.stepMs)];
    if (!bucket) continue;
    addMinute(bucket, row);
    if (row.role === 'canary') bucket.canary += Number(row.requests);
  }
  const points = buckets.map((b, i) => {
    const p95 = histogramPercentile(b.latency, 0.95);
    return {
      t: from + i * q.stepMs,
      requests: b.requests,
      errors: b.errors,
      errorRate: b.requests > 0 ? Math.round((b.errors / b.requests) * 1e6) / 1e6 : null,
      p95: p95 === null ? null : Math.round(p95 * 100) / 100,
      canaryRequests: b.canary,
    };
  });
  const releases = await db
    .selectFrom('releases')
    .selectAll()
    .where('environment_id', '=', q.environment.id)
    .where('created_at', '<=', q.to)
    .orderBy('number', 'desc')
    .limit(MAX_MARKERS * 5)
    .execute();
  const markers: TimelineJson['markers'] = [];
  for (const release of releases) {
    const at = release.finished_at ?? release.started_at ?? release.created_at;
    if (at < from || at > q.to) continue;
    if (markers.length >= MAX_MARKERS) break;
    const card = await impactCard(
      db,
      { release, environment: q.environment, request: q.request, now: q.now },
      cache,
    );
    markers.push({
      number: release.number,
      at,
      status: release.status,
      trigger: release.trigger,
      verdict: card.phase === 'not_live' ? null : card.verdict,
      phase: card.phase,
    });
  }
  markers.reverse();
  return { environment: q.environment.name, from, to: q.to, stepMs: q.stepMs, points, markers };
}
