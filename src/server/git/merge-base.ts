import { runGit } from './git-cli.js';

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Where a new branch left `base` (the default branch): `changes:` of its first push compares
 * against it, so the files are those of the whole branch, not only of its head commit. Null
 * when git cannot tell (unrelated histories, an unknown commit).
 */
export async function mergeBase(gitDir: string, base: string, head: string): Promise<string | null> {
  if (!OBJECT_ID.test(base) || !OBJECT_ID.test(head)) return null;
  const result = await runGit(['merge-base', '--end-of-options', base, head], { env: { GIT_DIR: gitDir } });
  const sha = result.stdout.toString('utf8').trim();
  return result.code === 0 && OBJECT_ID.test(sha) ? sha : null;
}
