import type { Kysely } from 'kysely';
import { addHistograms, LATENCY_BUCKETS, type TrafficSample } from '../../domain/release-stats.js';
import type { Database } from '../store/tables.js';

export const MINUTE_MS = 60_000;

/** Floors a time to its minute, the granularity traffic_minutes are stored at. */
export const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** A traffic sample plus the parts the card shows besides the tests. */
export interface WindowTraffic extends TrafficSample {
  status4xx: number;
  /** Minutes that had at least one row (how much of the window carried traffic). */
  minutes: number;
}

export const emptyTraffic = (): WindowTraffic => ({
  requests: 0,
  errors: 0,
  latency: new Array<number>(LATENCY_BUCKETS).fill(0),
  status4xx: 0,
  minutes: 0,
});

interface MinuteCounters {
  minute: number;
  requests: number;
  status_4xx: number;
  status_5xx: number;
  proxy_errors: number;
  latency_counts: string;
}

/** Parses a stored latency histogram; a damaged value counts as no latency data, not a crash. */
export function parseHistogram(json: string): number[] {
  try {
    const value: unknown = JSON.parse(json);
    if (Array.isArray(value)) return value.map((v) => (typeof v === 'number' && v > 0 ? v : 0));
  } catch {
    // fall through
  }
  return [];
}

/** Adds one stored minute to a running sample (errors = 5xx + answers the proxy gave itself). */
export function addMinute(into: WindowTraffic, row: MinuteCounters): void {
  into.requests += Number(row.requests);
  into.errors += Number(row.status_5xx) + Number(row.proxy_errors);
  into.status4xx += Number(row.status_4xx);
  into.latency = addHistograms(into.latency, parseHistogram(row.latency_counts));
}

export interface WindowQuery {
  environmentId: string;
  /** Only this release's rows; all releases when absent. */
  releaseId?: string;
  /** Only releases other than this one (the stable side of a canary). */
  excludeReleaseId?: string;
  role?: 'stable' | 'canary';
  /** Minutes m with from ≤ m < to. */
  from: number;
  to: number;
  /** Only these minutes (the minutes a canary ran), filtered here: the list can be long. */
  minutes?: number[];
}

/** Sums traffic_minutes rows matching the query into one sample. */
export async function loadWindowTraffic(db: Kysely<Database>, q: WindowQuery): Promise<WindowTraffic> {
  const rows = await minuteRows(db, q);
  const sample = emptyTraffic();
  const seen = new Set<number>();
  const only = q.minutes ? new Set(q.minutes) : null;
  for (const row of rows) {
    if (only && !only.has(row.minute)) continue;
    addMinute(sample, row);
    seen.add(Number(row.minute));
  }
  sample.minutes = seen.size;
  return sample;
}

/** The raw minute rows of a query, oldest first. */
export async function minuteRows(
  db: Kysely<Database>,
  q: WindowQuery,
): Promise<(MinuteCounters & { release_id: string; role: 'stable' | 'canary' })[]> {
  let query = db
    .selectFrom('traffic_minutes')
    .select([
      'minute',
      'release_id',
      'role',
      'requests',
      'status_4xx',
      'status_5xx',
      'proxy_errors',
      'latency_counts',
    ])
    .where('environment_id', '=', q.environmentId)
    .where('minute', '>=', q.from)
    .where('minute', '<', q.to);
  if (q.releaseId) query = query.where('release_id', '=', q.releaseId);
  if (q.excludeReleaseId) query = query.where('release_id', '!=', q.excludeReleaseId);
  if (q.role) query = query.where('role', '=', q.role);
  const rows = await query.orderBy('minute').execute();
  return rows.map((r) => ({ ...r, minute: Number(r.minute) }));
}
