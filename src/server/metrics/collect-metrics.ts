import { type Kysely, sql } from 'kysely';
import { STATUSES } from '../../domain/status.js';
import type { InsightsFactCache } from '../insights/insights-cache.js';
import type { Database } from '../store/tables.js';
import { insightsMetrics } from './insights-metrics.js';
import { PrometheusText } from './prometheus-text.js';
import { trafficMetrics } from './traffic-metrics.js';

/** Upper bounds (seconds) of the job duration histogram: a quick check up to a long build. */
export const JOB_DURATION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The /metrics page, computed from the database at scrape time, so every server sharing the
 * database reports the same numbers. The one exception is the insights gauges' facts, read
 * through the API's facts cache (`insightsCache`), which the insights follow-up keeps in step
 * with the table. Job durations cover jobs
 * finished in the last 24 h: a sliding window, so the histogram can go down — use its current
 * value (or histogram_quantile), not rate().
 */
export async function collectMetrics(
  db: Kysely<Database>,
  now: number,
  opts: { insightsCache?: InsightsFactCache } = {},
): Promise<string> {
  const out = new PrometheusText();

  const runs = await db
    .selectFrom('runs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const byStatus = new Map(runs.map((r) => [r.status, Number(r.n)]));
  out.family('slipway_runs', 'gauge', 'Runs by status.');
  for (const status of new Set<string>([...STATUSES, ...byStatus.keys()])) {
    out.sample('slipway_runs', byStatus.get(status) ?? 0, { status });
  }

  const queue = await db
    .selectFrom('queue')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', ['queued', 'leased'])
    .groupBy('status')
    .execute();
  const inQueue = (status: string) => Number(queue.find((q) => q.status === status)?.n ?? 0);
  out.family('slipway_queue_depth', 'gauge', 'Executions waiting for an agent.');
  out.sample('slipway_queue_depth', inQueue('queued'));
  out.family('slipway_queue_leased', 'gauge', 'Executions held by an agent.');
  out.sample('slipway_queue_leased', inQueue('leased'));

  await jobDurations(db, now, out);

  const agents = await db
    .selectFrom('agents')
    .select(['embedded', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('embedded')
    .execute();
  out.family('slipway_agents', 'gauge', 'Registered agents.');
  for (const embedded of [1, 0]) {
    const n = Number(agents.find((a) => Number(a.embedded) === embedded)?.n ?? 0);
    out.sample('slipway_agents', n, { embedded: embedded === 1 ? 'true' : 'false' });
  }
  await insightsMetrics(db, now, out, opts.insightsCache);
  await trafficMetrics(db, now, out);
  return out.toString();
}

async function jobDurations(db: Kysely<Database>, now: number, out: PrometheusText): Promise<void> {
  // One pass in SQL: a cumulative count per bucket, plus the total count and sum.
  const buckets = JOB_DURATION_BUCKETS.map(
    (le, i) =>
      sql`SUM(CASE WHEN finished_at - started_at <= ${le * 1000} THEN 1 ELSE 0 END) AS ${sql.ref(`b${i}`)}`,
  );
  const result = await sql<Record<string, number | null>>`
    SELECT COUNT(*) AS count, SUM(finished_at - started_at) AS sum_ms, ${sql.join(buckets)}
    FROM jobs
    WHERE finished_at IS NOT NULL AND started_at IS NOT NULL AND finished_at >= ${now - DAY_MS}`.execute(db);
  const row = result.rows[0] ?? {};
  const name = 'slipway_job_duration_seconds';
  out.family(name, 'histogram', 'Durations of jobs finished in the last 24 hours.');
  JOB_DURATION_BUCKETS.forEach((le, i) => {
    out.sample(`${name}_bucket`, Number(row[`b${i}`] ?? 0), { le: String(le) });
  });
  out.sample(`${name}_bucket`, Number(row.count ?? 0), { le: '+Inf' });
  out.sample(`${name}_sum`, Number(row.sum_ms ?? 0) / 1000);
  out.sample(`${name}_count`, Number(row.count ?? 0));
}
