import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitOk } from './git-cli.js';
import { resolveCommit } from './git-reads.js';

/**
 * Commits the files of `dir` as the new head of `branch` in a bare repository, without a
 * working copy: a throw-away index (GIT_INDEX_FILE) is filled from `dir` (`git add -A` with
 * `dir` as the work tree, so .gitignore applies and symlinks stay symlinks), turned into a tree,
 * a commit, and the branch is moved with a compare-and-swap (`update-ref <new> <old>`) so a
 * push landing meanwhile is never overwritten.
 * When the tree equals the branch head's, nothing is committed and the head is returned: doing
 * this on every start (the demo project) does not pile up empty commits.
 */
export async function commitDirectory(
  gitDir: string,
  dir: string,
  branch: string,
  message: string,
  now: () => number,
): Promise<string> {
  const ref = `refs/heads/${branch}`;
  const parent = await resolveCommit(gitDir, ref);
  const scratch = await mkdtemp(join(tmpdir(), 'slipway-index-'));
  const when = `${Math.floor(now() / 1000)} +0000`;
  const env = {
    GIT_DIR: gitDir,
    GIT_WORK_TREE: dir,
    GIT_INDEX_FILE: join(scratch, 'index'),
    GIT_AUTHOR_NAME: 'Slipway',
    GIT_AUTHOR_EMAIL: 'slipway@localhost',
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_NAME: 'Slipway',
    GIT_COMMITTER_EMAIL: 'slipway@localhost',
    GIT_COMMITTER_DATE: when,
  };
  try {
    await gitOk(['add', '--all', '--', '.'], { env, cwd: dir, timeoutMs: 120_000 });
    const tree = (await gitOk(['write-tree'], { env })).trim();
    if (parent) {
      const parentTree = (
        await gitOk(['rev-parse', '--verify', '--end-of-options', `${parent}^{tree}`], { env })
      ).trim();
      if (parentTree === tree) return parent;
    }
    const parentArgs = parent ? ['-p', parent] : [];
    // The message goes through stdin: it is data, never an argument.
    const commit = (await gitOk(['commit-tree', ...parentArgs, tree], { env, input: message })).trim();
    const expected = parent ?? '0'.repeat(commit.length);
    await gitOk(['update-ref', '-m', 'slipway: commit directory', ref, commit, expected], { env });
    return commit;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
