/**
 * What `slipway exec` puts in the workspace. The files are the developer's working copy as it
 * is (tracked plus untracked-but-not-ignored, uncommitted edits included) — that is the point of
 * a local run. With `clone:` (the default) a `.git` is added beside them, made the way the
 * server makes its checkouts: a shallow repository of HEAD (`depth` commits, the current branch,
 * tags inside that history with `tags: true`) fetched from the local repository, with no remote
 * and none of the local repository's config, hooks or credentials. Inside the job `git log` and
 * `git describe` answer as on the server, and `git status` shows the uncommitted edits.
 * Outside a git repository, or with `clone: false`, the workspace has the files only.
 */
import { execFile } from 'node:child_process';
import { realpath, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import type { WorkspaceSource } from '../backends/backend.js';
import type { PlanClone } from '../pipeline/plan/plan-clone.js';
import { makeCheckout, readableByAll } from '../server/git/checkout-archive.js';

const gitLine = (cwd: string, args: string[]) =>
  new Promise<string | null>((resolve) => {
    execFile('git', args, { cwd }, (error, stdout) => resolve(error ? null : stdout.trim()));
  });

/** `dir`'s repository when `dir` is its top level and HEAD is a commit; null otherwise. */
export async function execRepository(dir: string): Promise<ExecRepository | null> {
  const top = await gitLine(dir, ['rev-parse', '--show-toplevel']);
  const gitDir = await gitLine(dir, ['rev-parse', '--absolute-git-dir']);
  const head = await gitLine(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!top || !gitDir || !head) return null;
  // From a subdirectory the files would not line up with the repository's paths.
  if ((await realpath(top)) !== (await realpath(dir))) return null;
  const branch = await gitLine(dir, ['symbolic-ref', '--short', '--quiet', 'HEAD']);
  return { gitDir, head, branch: branch || null };
}

export interface ExecRepository {
  /** The repository's git directory (`git rev-parse --absolute-git-dir`). */
  gitDir: string;
  head: string;
  /** The checked-out branch; null for a detached HEAD. */
  branch: string | null;
}

export function execSource(
  dir: string,
  files: string[],
  clone: PlanClone | false,
  repository: ExecRepository | null,
): WorkspaceSource {
  if (clone === false || repository === null) return { kind: 'directory', path: dir, files };
  return {
    kind: 'archive',
    open: async () => {
      const checkout = await makeCheckout(repository.gitDir, repository.head, {
        depth: clone.depth,
        tags: clone.tags,
        branch: repository.branch,
        tag: null,
        remoteUrl: null,
      });
      const tar = pack(dir, {
        entries: files,
        finalize: false,
        // The working copy first, then the checkout's .git into the same tar.
        finish: (into) => pack(checkout, { pack: into, entries: ['.git'], map: readableByAll }),
      }) as unknown as Readable;
      let removed = false;
      const cleanup = () => {
        if (removed) return;
        removed = true;
        void rm(checkout, { recursive: true, force: true });
      };
      tar.once('end', cleanup);
      tar.once('close', cleanup);
      tar.once('error', cleanup);
      return tar;
    },
  };
}
