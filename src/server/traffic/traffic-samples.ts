import type { Kysely, Selectable } from 'kysely';
import { addHistograms, type TrafficSample } from '../../domain/release-stats.js';
import type { Database } from '../store/tables.js';
import type { TrafficMinuteRow } from '../store/tables-impact.js';
import { parseCounts } from './traffic-reports.js';

type MinuteCounts = Pick<
  Selectable<TrafficMinuteRow>,
  'requests' | 'status_5xx' | 'proxy_errors' | 'latency_counts'
>;

/** Stored minutes summed into one side of a comparison (errors: 5xx plus proxy errors). */
export function sampleOfRows(rows: readonly MinuteCounts[]): TrafficSample {
  let requests = 0;
  let errors = 0;
  let latency: number[] = [];
  for (const r of rows) {
    requests += Number(r.requests);
    errors += Number(r.status_5xx) + Number(r.proxy_errors);
    latency = addHistograms(latency, parseCounts(String(r.latency_counts)));
  }
  return { requests, errors, latency };
}

/** What one release served in an environment (both roles), from the stored minutes. */
export async function releaseSample(
  db: Kysely<Database>,
  environmentId: string,
  releaseId: string,
): Promise<TrafficSample> {
  const rows = await db
    .selectFrom('traffic_minutes')
    .select(['requests', 'status_5xx', 'proxy_errors', 'latency_counts'])
    .where('environment_id', '=', environmentId)
    .where('release_id', '=', releaseId)
    .execute();
  return sampleOfRows(rows);
}
