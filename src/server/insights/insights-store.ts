import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import type { ReleaseCommitRow, ReleaseFactRow } from '../store/tables-insights.js';
import { factFromRow } from './fact-row.js';
import { changeSegments } from './value-stream.js';

const BATCH = 200;
/** Facts rows per INSERT: 28 columns each, well under both databases' bound-parameter limits. */
const FACT_ROWS = 100;

/**
 * Inserts facts of releases that have none, in multi-row statements; a row another writer
 * stored meanwhile (the release's own end event) is kept. Returns how many were given.
 */
export async function insertMissingReleaseFacts(
  db: Kysely<Database>,
  facts: readonly ReleaseFactRow[],
): Promise<number> {
  for (let i = 0; i < facts.length; i += FACT_ROWS) {
    await db
      .insertInto('release_facts')
      .values(facts.slice(i, i + FACT_ROWS))
      .onConflict((oc) => oc.column('release_id').doNothing())
      .execute();
  }
  return facts.length;
}

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

/** A release's first-shipped commits as computed; null: the repository lacked its commit. */
export interface ComputedCommits {
  fact: ReleaseFactRow;
  commits: readonly ReleaseCommitRow[] | null;
}

/** Releases per transaction when storing commits: one commit of the database per batch, not per release. */
const RELEASES_PER_TRANSACTION = 100;

/**
 * Replaces the first-shipped commits of releases and stores their aggregates on their facts
 * (count, lead times, value-stream sums), marking them `done` — or `missing` when the
 * repository did not have the release's commit.
 */
export async function saveReleaseCommitsOf(
  db: Kysely<Database>,
  computed: readonly ComputedCommits[],
): Promise<void> {
  for (let i = 0; i < computed.length; i += RELEASES_PER_TRANSACTION) {
    const batch = computed.slice(i, i + RELEASES_PER_TRANSACTION);
    await db.transaction().execute(async (trx) => {
      for (const item of batch) await saveOne(trx, item);
    });
  }
}

async function saveOne(trx: Kysely<Database>, { fact, commits }: ComputedCommits): Promise<void> {
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
}
