import type { Kysely } from 'kysely';
import type { Database, ReleaseRow } from '../store/tables.js';

/**
 * Which release served an environment at a moment (issue #13): the latest release of that
 * environment with status succeeded whose finished_at ≤ the moment. A rollback is a new release,
 * so after a rollback the rollback release serves. The collect helper attributes events with the
 * same definition (src/server/collect/); keep the two in step.
 */
export async function servingReleaseAt(
  db: Kysely<Database>,
  environmentId: string,
  at: number,
): Promise<ReleaseRow | null> {
  const row = await db
    .selectFrom('releases')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .where('status', '=', 'succeeded')
    .where('finished_at', 'is not', null)
    .where('finished_at', '<=', at)
    .orderBy('finished_at', 'desc')
    .orderBy('number', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

/** When a release began to roll out (its run started), else when it was asked for. */
export function rolloutStart(release: Pick<ReleaseRow, 'started_at' | 'created_at'>): number {
  return release.started_at ?? release.created_at;
}

/**
 * The release that served the environment just before `release` began to roll out: the
 * baseline its impact is measured against. Null for an environment's first release.
 */
export async function previousServingRelease(
  db: Kysely<Database>,
  release: ReleaseRow,
): Promise<ReleaseRow | null> {
  const start = rolloutStart(release);
  // The same rule as servingReleaseAt at the moment the rollout began, minus the release itself.
  const row = await db
    .selectFrom('releases')
    .selectAll()
    .where('environment_id', '=', release.environment_id)
    .where('status', '=', 'succeeded')
    .where('finished_at', 'is not', null)
    .where('finished_at', '<=', start)
    .where('id', '!=', release.id)
    .orderBy('finished_at', 'desc')
    .orderBy('number', 'desc')
    .executeTakeFirst();
  return row ?? null;
}
