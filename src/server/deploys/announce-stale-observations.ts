/**
 * Observed health turns `unknown` by the passing of time alone (no agent reported within the
 * staleness window), so no agent report announces it. This sweep does: each observation that
 * crossed the line is stored as `unknown` — the `health` column is what was last announced —
 * and one `environment` event is emitted for it. The store makes it exactly once: a row already
 * `unknown` is not selected again, and the conditional update loses to a report that arrived
 * in between (that report announced its own health).
 */
import type { EnvironmentEventData, ObservationDeps } from './environment-observations.js';

export async function announceStaleObservations(deps: ObservationDeps): Promise<number> {
  const now = deps.now();
  const stale = await deps.db
    .selectFrom('environment_observations')
    .innerJoin('environments', 'environments.id', 'environment_observations.environment_id')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .select([
      'environment_observations.environment_id as environment_id',
      'environment_observations.project_id as project_id',
      'environment_observations.observed_at as observed_at',
      'applications.name as app',
      'environments.name as env',
    ])
    .where('environment_observations.health', '!=', 'unknown')
    // Same line as deriveObservedHealth: unknown once now - at > staleMs.
    .where('environment_observations.observed_at', '<', now - deps.staleMs)
    .execute();
  let announced = 0;
  for (const row of stale) {
    const result = await deps.db
      .updateTable('environment_observations')
      .set({ health: 'unknown' })
      .where('environment_id', '=', row.environment_id)
      .where('observed_at', '=', row.observed_at)
      .where('health', '!=', 'unknown')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) continue;
    const data: EnvironmentEventData = { app: row.app, env: row.env, health: 'unknown' };
    deps.events.publish({ type: 'environment', projectId: row.project_id, runId: '', number: 0, data });
    announced++;
  }
  return announced;
}
