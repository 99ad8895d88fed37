/**
 * The file paths of a commit's tree, under a directory: what `include: ci/*.yml` matches its glob
 * against on the server (pipeline/config/include.ts). Paths go to git as a pathspec after `--`,
 * never as options; the listing is bounded like every other git output the server reads.
 */
import { runGit } from './git-cli.js';
import { isObjectId, normalizeTreePath } from './ref-names.js';

/** A listing of a huge monorepo directory is cut here; globs are meant for a few CI files. */
const MAX_LISTING_BYTES = 4 * 1024 * 1024;

export async function listTreeFiles(gitDir: string, sha: string, dir: string): Promise<string[]> {
  if (!isObjectId(sha)) return [];
  const args = ['ls-tree', '-r', '-z', '--name-only', '--full-tree', '--end-of-options', sha];
  if (dir !== '') {
    const path = normalizeTreePath(dir);
    if (path === null) return [];
    args.push('--', path);
  }
  const result = await runGit(args, { env: { GIT_DIR: gitDir }, maxOutputBytes: MAX_LISTING_BYTES });
  if (result.code !== 0) return [];
  return result.stdout
    .toString('utf8')
    .split('\0')
    .filter((p) => p.length > 0);
}
