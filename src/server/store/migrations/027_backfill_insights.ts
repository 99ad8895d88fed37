import type { Kysely } from 'kysely';
import { backfillReleaseFacts } from '../../insights/backfill-facts.js';
import type { Database } from '../tables.js';

/**
 * Delivery insights for the history from before them (issue #12): "metrics for history that
 * existed before this issue are computed at migration time from runs and releases".
 * - Indexes the two lookups the insights computation makes per release: its approval event
 *   (delivery_events by release; without it each lookup scanned every event) and the first run
 *   of a commit (runs by project and sha, for push times).
 * - Computes the facts of every ended release that has none yet from releases, runs, jobs and
 *   delivery events, in set-based pages (server/insights/backfill-facts.ts), inside this
 *   migration's transaction. Everything a DORA number needs except the commits a release shipped
 *   first is then in place: those need the repository (git), which a migration does not reach,
 *   so they are stored `pending` and the catch-up at server start computes them, one pass per
 *   environment (server/insights/environment-commits.ts).
 * The facts code is shared with the live path on purpose (one definition of a fact); if
 * `release_facts` ever changes shape, this migration gets a frozen copy of what it writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('delivery_events_release')
    .on('delivery_events')
    .columns(['release_id', 'type'])
    .execute();
  await db.schema.createIndex('runs_project_sha').on('runs').columns(['project_id', 'sha']).execute();
  await backfillReleaseFacts(db as Kysely<Database>);
}
