/**
 * Health as observed on the engine (agents report what runs, see agent/environment-reporter.ts),
 * as opposed to the result of the last release:
 *   healthy  — every desired replica is healthy
 *   degraded — some replicas run, not all healthy
 *   down     — nothing runs
 *   unknown  — no report within the staleness window: the agent is not reporting
 */
export const OBSERVED_HEALTHS = ['healthy', 'degraded', 'down', 'unknown'] as const;
export type ObservedHealth = (typeof OBSERVED_HEALTHS)[number];

export interface ObservationCounts {
  at: number;
  running: number;
  healthy: number;
  desired: number;
}

export function deriveObservedHealth(o: ObservationCounts, now: number, staleMs: number): ObservedHealth {
  if (now - o.at > staleMs) return 'unknown';
  if (o.running === 0) return 'down';
  if (o.desired > 0 && o.healthy >= o.desired) return 'healthy';
  return 'degraded';
}
