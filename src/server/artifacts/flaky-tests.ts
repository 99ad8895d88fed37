/**
 * Flaky tests, computed from stored test cases (nothing extra is recorded). A test is flaky
 * when, on its branch's recent runs:
 *   - it both failed and passed on the same commit (a retry or a re-run changed the verdict
 *     without a code change), or
 *   - its verdict flipped at least FLIP_THRESHOLD times over the last HISTORY_RUNS results
 *     (pass → fail → pass…), which a real regression and its fix do only once each.
 * Skipped results do not count. The history returned is what the run page shows beside it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';

export const HISTORY_RUNS = 20;
export const FLIP_THRESHOLD = 2;

export interface TestResultPoint {
  runNumber: number;
  sha: string;
  status: 'passed' | 'failed' | 'error';
}

export interface FlakyVerdict {
  flaky: boolean;
  /** 'same_commit' or 'flips'; null when not flaky. */
  why: 'same_commit' | 'flips' | null;
  /** Newest first, at most HISTORY_RUNS results. */
  history: TestResultPoint[];
}

/** Pure: the verdict over a test's results, newest first. */
export function judgeFlaky(history: TestResultPoint[]): FlakyVerdict {
  const recent = history.slice(0, HISTORY_RUNS);
  const bySha = new Map<string, Set<boolean>>();
  for (const point of recent) {
    const seen = bySha.get(point.sha) ?? new Set<boolean>();
    seen.add(point.status === 'passed');
    bySha.set(point.sha, seen);
  }
  if ([...bySha.values()].some((verdicts) => verdicts.size === 2))
    return { flaky: true, why: 'same_commit', history: recent };
  let flips = 0;
  for (let i = 1; i < recent.length; i++)
    if ((recent[i]?.status === 'passed') !== (recent[i - 1]?.status === 'passed')) flips++;
  return flips >= FLIP_THRESHOLD
    ? { flaky: true, why: 'flips', history: recent }
    : { flaky: false, why: null, history: recent };
}

/**
 * Verdicts for the given tests of a project on one branch (or, for a tag or pull request run,
 * on the same commit only). Keyed `classname\u0000name`.
 */
export async function flakyVerdicts(
  db: Kysely<Database>,
  scope: { projectId: string; branch: string | null; sha: string; upToRun: number },
  tests: readonly { classname: string; name: string }[],
): Promise<Map<string, FlakyVerdict>> {
  const out = new Map<string, FlakyVerdict>();
  const classnames = [...new Set(tests.map((t) => t.classname))];
  if (classnames.length === 0) return out;
  const wanted = new Set(tests.map((t) => key(t.classname, t.name)));
  const points = new Map<string, TestResultPoint[]>();
  // One query per chunk of class names, newest runs first; rows of unrelated tests of those
  // classes are filtered here (cheaper than a giant OR of pairs).
  for (let i = 0; i < classnames.length; i += 200) {
    let query = db
      .selectFrom('test_cases')
      .select(['classname', 'name', 'run_number', 'sha', 'status'])
      .where('project_id', '=', scope.projectId)
      .where('classname', 'in', classnames.slice(i, i + 200))
      .where('status', '!=', 'skipped')
      .where('run_number', '<=', scope.upToRun);
    query =
      scope.branch === null ? query.where('sha', '=', scope.sha) : query.where('branch', '=', scope.branch);
    const rows = await query.orderBy('run_number', 'desc').orderBy('id', 'desc').limit(50_000).execute();
    for (const row of rows) {
      const k = key(row.classname, row.name);
      if (!wanted.has(k)) continue;
      const list = points.get(k) ?? [];
      if (list.length < HISTORY_RUNS)
        list.push({
          runNumber: row.run_number,
          sha: row.sha,
          status: row.status as TestResultPoint['status'],
        });
      points.set(k, list);
    }
  }
  for (const [k, history] of points) out.set(k, judgeFlaky(history));
  return out;
}

export function key(classname: string, name: string): string {
  return `${classname}\u0000${name}`;
}
