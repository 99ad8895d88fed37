import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import type { ReleaseCommitRow, ReleaseFactRow } from '../store/tables-insights.js';
import { factFromRow } from './fact-row.js';
import { changeSegments } from './value-stream.js';

const BATCH = 200;

/** Stores a release's facts, replacing what was there (the facts are derived, so recomputing is safe). */
export async function saveReleaseFacts(db: Kysely<Database>, fact: ReleaseFactRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('release_facts')
      .select(['commits', 'changes', 'lead_times', 'segment_sums'])
      .where('release_id', '=', fact.release_id)
      .executeTakeFirst();
    await trx.deleteFrom('release_facts').where('release_id', '=', fact.release_id).execute();
    // Commits already computed stay valid: a release's commit and its earlier releases never change.
    const kept =
      old?.commits === 'done' && fact.commits === 'pending'
        ? {
            commits: 'done',
            changes: Number(old.changes),
            lead_times: old.lead_times,
            segment_sums: old.segment_sums,
          }
        : {};
    await trx
      .insertInto('release_facts')
      .values({ ...fact, ...kept })
      .execute();
  });
}

/**
 * Replaces the first-shipped commits of a release and stores their aggregates on its facts
 * (count, lead times, value-stream sums), marking them `done` — or `missing` when the
 * repository did not have the release's commit (null).
 */
export async function saveReleaseCommits(
  db: Kysely<Database>,
  fact: ReleaseFactRow,
  commits: readonly ReleaseCommitRow[] | null,
): Promise<void> {
  const timeline = factFromRow(fact);
  const leadTimes: [number, number | null][] = [];
  const sums: Record<string, number> = {};
  for (const c of commits ?? []) {
    leadTimes.push([
      Math.max(0, c.released_at - c.authored_at),
      c.pushed_at === null ? null : Math.max(0, c.released_at - c.pushed_at),
    ]);
    for (const [k, v] of Object.entries(changeSegments(c.authored_at, c.pushed_at, timeline)))
      sums[k] = (sums[k] ?? 0) + v;
  }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('release_commits').where('release_id', '=', fact.release_id).execute();
    for (let i = 0; commits && i < commits.length; i += BATCH) {
      await trx
        .insertInto('release_commits')
        .values(commits.slice(i, i + BATCH))
        .execute();
    }
    await trx
      .updateTable('release_facts')
      .set({
        commits: commits === null ? 'missing' : 'done',
        changes: leadTimes.length,
        lead_times: JSON.stringify(leadTimes),
        segment_sums: JSON.stringify(sums),
      })
      .where('release_id', '=', fact.release_id)
      .execute();
  });
}
