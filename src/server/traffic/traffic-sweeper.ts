import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import { sweepTraffic } from './traffic-reports.js';

/** How often traffic retention runs: minutes expire by the day, so hourly is plenty. */
export const TRAFFIC_SWEEP_MS = 60 * 60_000;

/** Applies traffic retention now and every `everyMs`; returns the stop function. */
export function sweepTrafficEvery(
  deps: { db: Kysely<Database>; now: () => number; retentionDays: number; warn: (error: unknown) => void },
  everyMs: number = TRAFFIC_SWEEP_MS,
): () => void {
  const sweep = () => {
    sweepTraffic(deps.db, deps.now(), deps.retentionDays).catch(deps.warn);
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
