import { runGit } from './git-cli.js';
import { isObjectId } from './ref-names.js';

export interface RangeCommit {
  sha: string;
  /** Author time, Unix ms. */
  authoredAt: number;
  parents: string[];
}

/**
 * Commits reachable from `tip` and from none of `excluded` — `git rev-list tip ^a ^b …`, the
 * commits a release shipped first when `excluded` are the earlier releases' commits — newest
 * first, at most `max`. Revisions travel on stdin (no argument length limit, never read as
 * options); excluded commits the repository does not have are ignored (`--ignore-missing`), a
 * missing `tip` answers null. Merges count like any commit, so squash-merged and trunk-based
 * histories both give exactly the commits that are new on the released line.
 */
export async function commitsNotIn(
  gitDir: string,
  tip: string,
  excluded: readonly string[],
  max: number,
): Promise<RangeCommit[] | null> {
  if (!isObjectId(tip)) return null;
  const lines = [tip, ...excluded.filter(isObjectId).map((sha) => `^${sha}`)];
  const result = await runGit(
    ['log', '--ignore-missing', '--stdin', `--max-count=${max}`, '--format=%H %at %P'],
    { env: { GIT_DIR: gitDir }, input: `${lines.join('\n')}\n`, maxOutputBytes: max * 180 + 1024 },
  );
  if (result.code !== 0) return null;
  const commits = parseLog(result.stdout.toString('utf8'));
  // `git log` prints nothing for a tip that is excluded too; a tip it does not have is an error
  // above only without --ignore-missing, so check that the tip exists when the answer is empty.
  if (commits.length === 0 && !(await hasCommit(gitDir, tip))) return null;
  return commits;
}

async function hasCommit(gitDir: string, sha: string): Promise<boolean> {
  const result = await runGit(['cat-file', '-e', `${sha}^{commit}`], { env: { GIT_DIR: gitDir } });
  return result.code === 0;
}

/** Output bound of one graph read: about a million commits of one environment's releases. */
const GRAPH_MAX_BYTES = 128 * 1024 * 1024;

/**
 * The commits reachable from any of `tips` and from none of `excluded`, with their parents, in
 * `git log` order (newest first): the graph of every release of an environment at once, so the
 * commits each one shipped first are found by walking it in memory (environment-commits.ts)
 * rather than with one `git log` per release. Every tip must exist (see `existingCommits`);
 * excluded commits the repository lacks are ignored. Null when git fails.
 */
export async function commitGraph(
  gitDir: string,
  tips: readonly string[],
  excluded: readonly string[],
): Promise<RangeCommit[] | null> {
  const positive = tips.filter(isObjectId);
  if (positive.length === 0) return [];
  const lines = [...positive, ...excluded.filter(isObjectId).map((sha) => `^${sha}`)];
  const result = await runGit(['log', '--ignore-missing', '--stdin', '--format=%H %at %P'], {
    env: { GIT_DIR: gitDir },
    input: `${lines.join('\n')}\n`,
    maxOutputBytes: GRAPH_MAX_BYTES,
  });
  if (result.code !== 0) return null;
  return parseLog(result.stdout.toString('utf8'));
}

function parseLog(text: string): RangeCommit[] {
  const commits: RangeCommit[] = [];
  for (const line of text.split('\n')) {
    const [sha = '', seconds = '', ...parents] = line.split(' ');
    if (isObjectId(sha))
      commits.push({ sha, authoredAt: Number(seconds) * 1000, parents: parents.filter(isObjectId) });
  }
  return commits;
}

/** Which of `shas` the repository has as commits: one `git cat-file --batch-check` for all. */
export async function existingCommits(gitDir: string, shas: readonly string[]): Promise<Set<string>> {
  const asked = [...new Set(shas.filter(isObjectId))];
  const found = new Set<string>();
  if (asked.length === 0) return found;
  const result = await runGit(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
    env: { GIT_DIR: gitDir },
    input: `${asked.join('\n')}\n`,
    maxOutputBytes: asked.length * 64 + 1024,
  });
  if (result.code !== 0) return found;
  // A missing object answers "<name> missing"; the object name of a full sha is itself.
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const [name = '', type = ''] = line.split(' ');
    if (type === 'commit') found.add(name);
  }
  return found;
}
