import type { Kysely } from 'kysely';
import type { RangeCommit } from '../git/commit-range.js';
import type { Database } from '../store/tables.js';
import type { ReleaseCommitRow, ReleaseFactRow } from '../store/tables-insights.js';

/** A first release of an environment ships the whole history; lead times count its newest commits. */
export const MAX_RELEASE_COMMITS = 1000;
const CHUNK = 400;

/**
 * When the server first saw each of `shas`: the creation of the project's earliest run of that
 * commit (any ref, any trigger). One indexed query per 400 commits (runs_project_sha).
 */
export async function firstRunTimes(
  db: Kysely<Database>,
  projectId: string,
  shas: readonly string[],
): Promise<Map<string, number>> {
  const firstRun = new Map<string, number>();
  for (let i = 0; i < shas.length; i += CHUNK) {
    const rows = await db
      .selectFrom('runs')
      .select(['sha', (eb) => eb.fn.min('created_at').as('at')])
      .where('project_id', '=', projectId)
      .where('sha', 'in', shas.slice(i, i + CHUNK))
      .groupBy('sha')
      .execute();
    for (const row of rows) firstRun.set(row.sha, Number(row.at));
  }
  return firstRun;
}

/**
 * The release_commits rows of a successful release from the commits it shipped first (newest
 * first). Push time of a commit: the creation of the earliest run whose commit contains it among
 * these — when the server first saw it.
 */
export function releaseCommitRows(
  fact: ReleaseFactRow,
  commits: readonly RangeCommit[],
  firstRun: ReadonlyMap<string, number>,
): ReleaseCommitRow[] {
  const pushed = pushTimes(commits, firstRun);
  return commits.map((c) => ({
    release_id: fact.release_id,
    sha: c.sha,
    environment_id: fact.environment_id,
    authored_at: c.authoredAt,
    pushed_at: pushed.get(c.sha) ?? null,
    released_at: Number(fact.ended_at),
  }));
}

/**
 * Push time of each commit of the range: the earliest run whose commit contains it. The range
 * is closed under ancestry (a parent outside it was shipped earlier), so walking parents inside
 * it from a run's commit finds exactly what `git rev-list run ^earlier` would: no git call per run.
 * Runs are taken earliest first, so each commit is settled by the first walk that reaches it.
 */
function pushTimes(
  commits: readonly RangeCommit[],
  firstRun: ReadonlyMap<string, number>,
): Map<string, number> {
  const parents = new Map(commits.map((c) => [c.sha, c.parents]));
  const runs = commits.flatMap((c) => {
    const at = firstRun.get(c.sha);
    return at === undefined ? [] : [[c.sha, at] as const];
  });
  const pushed = new Map<string, number>();
  for (const [head, at] of runs.sort((a, b) => a[1] - b[1])) {
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
