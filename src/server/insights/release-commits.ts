import type { Kysely } from 'kysely';
import { commitsNotIn, type RangeCommit } from '../git/commit-range.js';
import type { Database } from '../store/tables.js';
import type { ReleaseCommitRow, ReleaseFactRow } from '../store/tables-insights.js';

/** A first release of an environment ships the whole history; lead times count its newest commits. */
export const MAX_RELEASE_COMMITS = 1000;
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
  const pushed = pushTimes(commits, firstRun);
  return commits.map((c) => ({
    release_id: fact.release_id,
    sha: c.sha,
    environment_id: fact.environment_id,
    authored_at: c.authoredAt,
    pushed_at: pushed.get(c.sha) ?? null,
    released_at: fact.ended_at,
  }));
}

/**
 * Push time of each commit of the range: the earliest run whose commit contains it. The range
 * is closed under ancestry (a parent outside it was shipped earlier), so walking parents inside
 * it from a run's commit finds exactly what `git rev-list run ^earlier` would: no git call per run.
 * Runs are taken earliest first, so each commit is settled by the first walk that reaches it.
 */
function pushTimes(commits: readonly RangeCommit[], firstRun: Map<string, number>): Map<string, number> {
  const parents = new Map(commits.map((c) => [c.sha, c.parents]));
  const pushed = new Map<string, number>();
  for (const [head, at] of [...firstRun.entries()].sort((a, b) => a[1] - b[1])) {
    const stack = [head];
    while (stack.length > 0) {
      const sha = stack.pop() as string;
      if (pushed.has(sha) || !parents.has(sha)) continue;
      pushed.set(sha, at);
      stack.push(...(parents.get(sha) ?? []));
    }
  }
  return pushed;
}
