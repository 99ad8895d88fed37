import type { Kysely } from 'kysely';
import { commitsNotIn } from '../git/commit-range.js';
import type { Database } from '../store/tables.js';
import type { ReleaseCommitRow, ReleaseFactRow } from '../store/tables-insights.js';

/** A first release of an environment ships the whole history; lead times count its newest commits. */
export const MAX_RELEASE_COMMITS = 1000;
/** Runs (push heads) looked at for push times per release; the newest when there are more. */
const MAX_PUSH_HEADS = 50;
const CHUNK = 400;

/**
 * The commits a successful release shipped first: reachable from its commit and from the commit
 * of no earlier successful release (by release number) of the same environment, so a commit a
 * rollback took away and a later release brought back counts once, at its first release.
 * Push time of a commit: the creation of the earliest run (any ref, any trigger) whose commit
 * contains it among these — when the server first saw it. Null: the repository does not have
 * the commit (a mirror not fetched yet); the caller retries later.
 */
export async function releaseCommits(
  db: Kysely<Database>,
  gitDir: string,
  fact: ReleaseFactRow,
): Promise<ReleaseCommitRow[] | null> {
  if (!fact.source_sha) return [];
  const earlier = await db
    .selectFrom('releases')
    .select('source_sha')
    .distinct()
    .where('environment_id', '=', fact.environment_id)
    .where('status', '=', 'succeeded')
    .where('number', '<', fact.number)
    .where('source_sha', 'is not', null)
    .execute();
  // A redeploy of an already released commit (its own sha among them) ships nothing new.
  const excluded = earlier.map((r) => r.source_sha as string);
  const commits = await commitsNotIn(gitDir, fact.source_sha, excluded, MAX_RELEASE_COMMITS);
  if (commits === null) return null;
  const shas = commits.map((c) => c.sha);
  const firstRun = new Map<string, number>();
  for (let i = 0; i < shas.length; i += CHUNK) {
    const rows = await db
      .selectFrom('runs')
      .select(['sha', (eb) => eb.fn.min('created_at').as('at')])
      .where('project_id', '=', fact.project_id)
      .where('sha', 'in', shas.slice(i, i + CHUNK))
      .groupBy('sha')
      .execute();
    for (const row of rows) firstRun.set(row.sha, Number(row.at));
  }
  const pushed = new Map<string, number>();
  const heads = [...firstRun.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_PUSH_HEADS);
  for (const [head, at] of heads) {
    // The release's own commit reaches every commit of the range: no second walk for it.
    const reach =
      head === fact.source_sha ? commits : await commitsNotIn(gitDir, head, excluded, MAX_RELEASE_COMMITS);
    for (const c of reach ?? []) {
      const seen = pushed.get(c.sha);
      if (seen === undefined || at < seen) pushed.set(c.sha, at);
    }
  }
  return commits.map((c) => ({
    release_id: fact.release_id,
    sha: c.sha,
    environment_id: fact.environment_id,
    authored_at: c.authoredAt,
    pushed_at: pushed.get(c.sha) ?? null,
    released_at: fact.ended_at,
  }));
}
