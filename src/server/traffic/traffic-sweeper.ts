import type { Kysely } from 'kysely';
import { sweepBehaviour } from '../collect/behaviour-retention.js';
import type { Database } from '../store/tables.js';
import { sweepTraffic } from './traffic-reports.js';

/** How often retention runs: rows expire by the day, so hourly is plenty. */
export const TRAFFIC_SWEEP_MS = 60 * 60_000;

export interface RetentionSweepDeps {
  db: Kysely<Database>;
  now: () => number;
  /** Traffic minutes (SLIPWAY_TRAFFIC_RETENTION_DAYS). */
  retentionDays: number;
  /** Collected behaviour events (SLIPWAY_BEHAVIOUR_RETENTION_DAYS); feedback is kept. */
  behaviourRetentionDays: number;
  warn: (error: unknown) => void;
}

/**
 * The server's retention job for measured data: traffic minutes and behaviour events, now and
 * every `everyMs`; returns the stop function. One failing does not keep the other from running.
 */
export function sweepTrafficEvery(deps: RetentionSweepDeps, everyMs: number = TRAFFIC_SWEEP_MS): () => void {
  const sweep = () => {
    const now = deps.now();
    sweepTraffic(deps.db, now, deps.retentionDays).catch(deps.warn);
    sweepBehaviour(deps.db, now, deps.behaviourRetentionDays).catch(deps.warn);
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
