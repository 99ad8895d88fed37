import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gitOk } from './git-cli.js';
import { isSafeRefName } from './ref-names.js';

/**
 * Creating bare repositories. A repository is initialised and configured in a temporary
 * directory beside its final place, then renamed into it: a crash or a failed step never leaves
 * a half-configured repository that later calls would take for a good one.
 */

export function repoExists(gitDir: string): boolean {
  return existsSync(join(gitDir, 'HEAD'));
}

export interface RepoInitOptions {
  /** Branch HEAD points at (the project's default branch). */
  defaultBranch: string;
  /** `git config` pairs applied before the repository becomes visible. */
  config: [string, string][];
}

export async function initBareRepo(gitDir: string, opts: RepoInitOptions): Promise<void> {
  if (repoExists(gitDir)) return;
  const branch =
    isSafeRefName(opts.defaultBranch) && !opts.defaultBranch.startsWith('refs/')
      ? opts.defaultBranch
      : 'main';
  await mkdir(dirname(gitDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(gitDir), `.init-${basename(gitDir)}-`));
  try {
    await gitOk(['init', '--bare', '--quiet', `--initial-branch=${branch}`, staging]);
    for (const [key, value] of opts.config) {
      await gitOk(['config', key, value], { env: { GIT_DIR: staging } });
    }
    await rename(staging, gitDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Someone else made it first (another server process on the same data dir): theirs stands.
    if (repoExists(gitDir)) return;
    throw error;
  }
}
