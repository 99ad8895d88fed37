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
  const commits: RangeCommit[] = [];
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const [sha = '', seconds = '', ...parents] = line.split(' ');
    if (isObjectId(sha))
      commits.push({ sha, authoredAt: Number(seconds) * 1000, parents: parents.filter(isObjectId) });
  }
  // `git log` prints nothing for a tip that is excluded too; a tip it does not have is an error
  // above only without --ignore-missing, so check that the tip exists when the answer is empty.
  if (commits.length === 0 && !(await hasCommit(gitDir, tip))) return null;
  return commits;
}

async function hasCommit(gitDir: string, sha: string): Promise<boolean> {
  const result = await runGit(['cat-file', '-e', `${sha}^{commit}`], { env: { GIT_DIR: gitDir } });
  return result.code === 0;
}
