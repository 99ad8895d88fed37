import type { Kysely } from 'kysely';
import { commitGraph, commitsNotIn, existingCommits, type RangeCommit } from '../git/commit-range.js';
import type { Database } from '../store/tables.js';
import type { ReleaseFactRow } from '../store/tables-insights.js';
import { type ComputedCommits, saveReleaseCommitsOf } from './insights-store.js';
import { firstRunTimes, MAX_RELEASE_COMMITS, releaseCommitRows } from './release-commits.js';

const CHUNK = 400;

/**
 * Computes the first-shipped commits of the releases `releaseIds` (facts stored, commits
 * `pending` or `missing`) of one environment, in one pass: a commit belongs to the first
 * successful release (by number) whose commit reaches it, so a commit a rollback took away and a
 * later release brought back counts once, at its first release. Instead of one `git log tip
 * ^every-earlier-release` per release — a git process and a walk over all earlier releases'
 * commits each time, which made the backfill of 2,000 releases take minutes — git is asked for
 * the graph of all of them at once (two git calls per environment) and each release's commits
 * are found by walking it in memory, oldest release first, stopping at commits already shipped.
 * A release whose commit the repository lacks (a mirror not fetched yet) is stored as `missing`
 * and retried by the next catch-up. Returns how many releases were stored.
 */
export async function computeEnvironmentCommits(
  db: Kysely<Database>,
  gitDir: string,
  environmentId: string,
  releaseIds: readonly string[],
): Promise<number> {
  const todo = new Map<string, ReleaseFactRow>();
  for (let i = 0; i < releaseIds.length; i += CHUNK) {
    for (const fact of await db
      .selectFrom('release_facts')
      .selectAll()
      .where('release_id', 'in', releaseIds.slice(i, i + CHUNK))
      .where('environment_id', '=', environmentId)
      .where('commits', 'in', ['pending', 'missing'])
      .execute())
      todo.set(fact.release_id, fact);
  }
  if (todo.size === 0) return 0;
  const firstTodo = Math.min(...[...todo.values()].map((f) => Number(f.number)));
  const succeeded = (
    await db
      .selectFrom('releases')
      .select(['id', 'number', 'source_sha'])
      .where('environment_id', '=', environmentId)
      .where('status', '=', 'succeeded')
      .where('source_sha', 'is not', null)
      .orderBy('number')
      .execute()
  ).map((r) => ({ id: r.id, number: Number(r.number), sha: r.source_sha as string }));
  // Earlier releases only exclude; later ones (even computed already) are walked so the commits
  // they shipped are not counted again by a release after them.
  const earlier = succeeded.filter((r) => r.number < firstTodo);
  const walked = succeeded.filter((r) => r.number >= firstTodo);
  const present = await existingCommits(
    gitDir,
    walked.map((r) => r.sha),
  );
  const results = new Map<string, RangeCommit[] | null>();
  const first = earlier.length === 0 ? walked.shift() : undefined;
  if (first) {
    // The environment's first release ships the whole history: bounded to its newest commits
    // here, and excluded as a whole (its entire ancestry) from the graph of the later ones.
    if (todo.has(first.id))
      results.set(
        first.id,
        present.has(first.sha) ? await commitsNotIn(gitDir, first.sha, [], MAX_RELEASE_COMMITS) : null,
      );
    earlier.push(first);
  }
  const graph = await commitGraph(
    gitDir,
    walked.filter((r) => present.has(r.sha)).map((r) => r.sha),
    earlier.map((r) => r.sha),
  );
  if (graph === null) throw new Error(`git could not read the history of environment ${environmentId}`);
  const order = new Map(graph.map((c, i) => [c.sha, i]));
  const bySha = new Map(graph.map((c) => [c.sha, c]));
  // What earlier releases shipped: everything outside the graph, plus what the walk has reached.
  const shipped = new Set<string>();
  for (const release of walked) {
    if (!present.has(release.sha)) {
      if (todo.has(release.id)) results.set(release.id, null);
      continue;
    }
    const reached: RangeCommit[] = [];
    const stack = [release.sha];
    while (stack.length > 0) {
      const sha = stack.pop() as string;
      const commit = bySha.get(sha);
      if (!commit || shipped.has(sha)) continue;
      shipped.add(sha);
      reached.push(commit);
      stack.push(...commit.parents);
    }
    if (!todo.has(release.id)) continue;
    reached.sort((a, b) => (order.get(a.sha) ?? 0) - (order.get(b.sha) ?? 0));
    results.set(release.id, reached.slice(0, MAX_RELEASE_COMMITS));
  }
  const shas = [...results.values()].flatMap((list) => (list ?? []).map((c) => c.sha));
  const projectId = [...todo.values()][0]?.project_id as string;
  const firstRun = await firstRunTimes(db, projectId, shas);
  const computed: ComputedCommits[] = [];
  for (const [id, commits] of results) {
    const fact = todo.get(id) as ReleaseFactRow;
    computed.push({ fact, commits: commits === null ? null : releaseCommitRows(fact, commits, firstRun) });
  }
  await saveReleaseCommitsOf(db, computed);
  return computed.length;
}
