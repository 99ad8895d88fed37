import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import type { ReleaseCommitRow, ReleaseFactRow } from '../store/tables-insights.js';

const BATCH = 200;

/** Stores a release's facts, replacing what was there (the facts are derived, so recomputing is safe). */
export async function saveReleaseFacts(db: Kysely<Database>, fact: ReleaseFactRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('release_facts')
      .select('commits')
      .where('release_id', '=', fact.release_id)
      .executeTakeFirst();
    await trx.deleteFrom('release_facts').where('release_id', '=', fact.release_id).execute();
    // Commits already computed stay valid: a release's commit and its earlier releases never change.
    const commits = old?.commits === 'done' && fact.commits === 'pending' ? 'done' : fact.commits;
    await trx
      .insertInto('release_facts')
      .values({ ...fact, commits })
      .execute();
  });
}

/** Replaces the first-shipped commits of a release and marks its facts `done` (or `missing`). */
export async function saveReleaseCommits(
  db: Kysely<Database>,
  releaseId: string,
  commits: readonly ReleaseCommitRow[] | null,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('release_commits').where('release_id', '=', releaseId).execute();
    for (let i = 0; commits && i < commits.length; i += BATCH) {
      await trx
        .insertInto('release_commits')
        .values(commits.slice(i, i + BATCH))
        .execute();
    }
    await trx
      .updateTable('release_facts')
      .set({ commits: commits === null ? 'missing' : 'done' })
      .where('release_id', '=', releaseId)
      .execute();
  });
}
