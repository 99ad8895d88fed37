/**
 * The server half of traffic counting: an agent's report (its proxies' per-minute counters)
 * is added to `traffic_minutes`. The agent must run the environment — the latest observation
 * of that environment came from this agent — and the release must be one of the environment's;
 * other buckets are ignored (and counted in the answer), never stored under someone else's name.
 *
 * Reports are additive, so a re-sent report must not count twice: its id is recorded in
 * `traffic_reports` in the same transaction as the counters, and a known id is acknowledged
 * without adding anything.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { addHistograms } from '../../domain/release-stats.js';
import type {
  TrafficBucketMessage,
  TrafficReportAnswer,
  TrafficReportMessage,
} from '../../protocol/agent-protocol.js';
import type { Database } from '../store/tables.js';

export async function recordTrafficReport(
  db: Kysely<Database>,
  agentId: string,
  report: TrafficReportMessage,
  now: number,
): Promise<TrafficReportAnswer> {
  return db.transaction().execute(async (trx) => {
    const known = await trx
      .selectFrom('traffic_reports')
      .select('report_id')
      .where('agent_id', '=', agentId)
      .where('report_id', '=', report.reportId)
      .executeTakeFirst();
    if (known) return { stored: 0, ignored: 0, duplicate: true };
    await trx
      .insertInto('traffic_reports')
      .values({ agent_id: agentId, report_id: report.reportId, received_at: now })
      .execute();
    let stored = 0;
    let ignored = 0;
    for (const entry of report.environments) {
      const environmentId = await environmentRunBy(trx, agentId, entry);
      const releases = environmentId
        ? await releasesOf(
            trx,
            environmentId,
            entry.buckets.map((b) => b.releaseId),
          )
        : new Set<string>();
      for (const bucket of entry.buckets) {
        if (!environmentId || !releases.has(bucket.releaseId)) {
          ignored++;
          continue;
        }
        await addBucket(trx, environmentId, bucket);
        stored++;
      }
    }
    return { stored, ignored, duplicate: false };
  });
}

/** The environment's id when this agent is the one observed running it, else null. */
async function environmentRunBy(
  trx: Transaction<Database>,
  agentId: string,
  ref: { project: string; app: string; env: string },
): Promise<string | null> {
  const row = await trx
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .innerJoin('projects', 'projects.id', 'applications.project_id')
    .innerJoin('environment_observations', 'environment_observations.environment_id', 'environments.id')
    .select('environments.id')
    .where('projects.name', '=', ref.project)
    .where('applications.name', '=', ref.app)
    .where('environments.name', '=', ref.env)
    .where('environment_observations.agent_id', '=', agentId)
    .executeTakeFirst();
  return row?.id ?? null;
}

async function releasesOf(
  trx: Transaction<Database>,
  environmentId: string,
  ids: string[],
): Promise<Set<string>> {
  const rows = await trx
    .selectFrom('releases')
    .select('id')
    .where('environment_id', '=', environmentId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Adds one bucket to its row. The counters are added in SQL (`row + excluded`), which holds
 * under concurrent writers; the latency histogram is JSON, merged here from the row read in
 * this transaction (one agent reports an environment, one report at a time, so the read is
 * current).
 */
async function addBucket(
  trx: Transaction<Database>,
  environmentId: string,
  b: TrafficBucketMessage,
): Promise<void> {
  const existing = await trx
    .selectFrom('traffic_minutes')
    .select('latency_counts')
    .where('environment_id', '=', environmentId)
    .where('release_id', '=', b.releaseId)
    .where('role', '=', b.role)
    .where('minute', '=', b.minute)
    .executeTakeFirst();
  const latency = existing ? addHistograms(parseCounts(existing.latency_counts), b.latency) : b.latency;
  const add = (column: string) =>
    sql<number>`traffic_minutes.${sql.ref(column)} + excluded.${sql.ref(column)}`;
  await trx
    .insertInto('traffic_minutes')
    .values({
      environment_id: environmentId,
      release_id: b.releaseId,
      role: b.role,
      minute: b.minute,
      requests: b.requests,
      status_1xx: b.status[0] ?? 0,
      status_2xx: b.status[1] ?? 0,
      status_3xx: b.status[2] ?? 0,
      status_4xx: b.status[3] ?? 0,
      status_5xx: b.status[4] ?? 0,
      proxy_errors: b.proxyErrors,
      bytes_in: b.bytesIn,
      bytes_out: b.bytesOut,
      connections: b.connections,
      latency_counts: JSON.stringify(latency),
      latency_sum_ms: b.latencySumMs,
    })
    .onConflict((oc) =>
      oc.columns(['environment_id', 'release_id', 'role', 'minute']).doUpdateSet({
        requests: add('requests'),
        status_1xx: add('status_1xx'),
        status_2xx: add('status_2xx'),
        status_3xx: add('status_3xx'),
        status_4xx: add('status_4xx'),
        status_5xx: add('status_5xx'),
        proxy_errors: add('proxy_errors'),
        bytes_in: add('bytes_in'),
        bytes_out: add('bytes_out'),
        connections: add('connections'),
        latency_sum_ms: add('latency_sum_ms'),
        latency_counts: JSON.stringify(latency),
      }),
    )
    .execute();
}

export function parseCounts(text: string): number[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map((n) => (typeof n === 'number' ? n : Number(n) || 0)) : [];
  } catch {
    return [];
  }
}

/**
 * Retention: minutes older than `retentionDays`, and report ids older than a day (an agent
 * re-sends an unacknowledged report within minutes, never a day later).
 */
export async function sweepTraffic(
  db: Kysely<Database>,
  now: number,
  retentionDays: number,
): Promise<{ minutes: number; reports: number }> {
  const minutes = await db
    .deleteFrom('traffic_minutes')
    .where('minute', '<', now - retentionDays * 86_400_000)
    .executeTakeFirst();
  const reports = await db
    .deleteFrom('traffic_reports')
    .where('received_at', '<', now - 86_400_000)
    .executeTakeFirst();
  return { minutes: Number(minutes.numDeletedRows), reports: Number(reports.numDeletedRows) };
}
