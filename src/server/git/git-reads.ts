import { GitError, gitOk, runGit } from './git-cli.js';
import { isAbbreviatedId, isObjectId, isSafeRefName, isZeroId, normalizeTreePath } from './ref-names.js';

/**
 * Read-only questions to one repository (bare repo or mirror), by its git directory. Names from
 * outside are checked (ref-names.ts) and placed after `--end-of-options`; a missing ref, commit
 * or file is an answer (null / []), not an error.
 */

const env = (gitDir: string) => ({ GIT_DIR: gitDir });

/** `main`, `refs/tags/v1`, a full or abbreviated sha → the commit's full sha, or null. */
export async function resolveCommit(gitDir: string, rev: string): Promise<string | null> {
  if (!isSafeRefName(rev) && !isAbbreviatedId(rev)) return null;
  const result = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    env: env(gitDir),
    maxOutputBytes: 1024,
  });
  const sha = result.stdout.toString('utf8').trim();
  return result.code === 0 && isObjectId(sha) ? sha : null;
}

export class BlobTooLarge extends Error {}

/**
 * The bytes of `path` in commit `sha`, or null when there is no such file. The object name goes
 * through stdin (`cat-file --batch`), so no part of the path is ever read as an argument.
 */
export async function readBlob(
  gitDir: string,
  sha: string,
  path: string,
  maxBytes: number,
): Promise<Buffer | null> {
  const treePath = normalizeTreePath(path);
  if (!isObjectId(sha) || treePath === null) return null;
  let out: Buffer;
  try {
    out = (
      await runGit(['cat-file', '--batch'], {
        env: env(gitDir),
        input: `${sha}:${treePath}\n`,
        maxOutputBytes: maxBytes + 256,
      })
    ).stdout;
  } catch (error) {
    if (error instanceof GitError && error.reason === 'too_large') {
      throw new BlobTooLarge(`${treePath} is larger than ${maxBytes} bytes`);
    }
    throw error;
  }
  const newline = out.indexOf(10);
  const header = out.subarray(0, newline < 0 ? out.length : newline).toString('utf8');
  const match = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
  if (match?.[1] !== 'blob') return null;
  const size = Number(match[2]);
  if (size > maxBytes) throw new BlobTooLarge(`${treePath} is larger than ${maxBytes} bytes`);
  return out.subarray(newline + 1, newline + 1 + size);
}

export interface CommitSummary {
  /** The commit's full id: `sha` peeled (an annotated tag's id names its commit's). */
  sha: string;
  message: string;
  author: string;
  /** Committer time, Unix ms. */
  time: number;
}

export async function readCommit(gitDir: string, sha: string): Promise<CommitSummary | null> {
  if (!isObjectId(sha)) return null;
  const result = await runGit(
    ['log', '-1', '--format=%H%x00%an%x00%ct%x00%B', '--end-of-options', sha, '--'],
    {
      env: env(gitDir),
      maxOutputBytes: 256 * 1024,
    },
  );
  if (result.code !== 0) return null;
  const [commit = '', author = '', seconds = '0', ...message] = result.stdout.toString('utf8').split('\0');
  if (!isObjectId(commit)) return null;
  return { sha: commit, author, time: Number(seconds) * 1000, message: message.join('\0').trim() };
}

export interface RefValue {
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** What the ref points at (an annotated tag's own object). */
  oid: string;
  /** The commit it points at after peeling tags; null when that is not a commit. */
  commit: string | null;
}

/** All branches and tags (or the refs under `prefixes`). */
export async function listRefValues(
  gitDir: string,
  prefixes: string[] = ['refs/heads', 'refs/tags'],
): Promise<RefValue[]> {
  const text = await gitOk(
    [
      'for-each-ref',
      '--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)',
      '--end-of-options',
      ...prefixes,
    ],
    { env: env(gitDir) },
  );
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [ref = '', oid = '', type = '', peeled = '', peeledType = ''] = line.split('\0');
      const commit = type === 'commit' ? oid : peeledType === 'commit' ? peeled : null;
      return { ref, oid, commit };
    });
}

const MAX_CHANGED_OUTPUT = 4 * 1024 * 1024;

/**
 * Paths changed from `before` to `after`. Without a usable `before` (a new branch, or history
 * rewritten so the old commit is gone) it is what `after` changed against its first parent.
 * [] when unknown (including when the list is too long to be useful).
 */
export async function diffNames(gitDir: string, before: string | null, after: string): Promise<string[]> {
  if (!isObjectId(after)) return [];
  const from = before && isObjectId(before) && !isZeroId(before) ? before : null;
  const args = from
    ? ['diff', '--name-only', '-z', '--no-renames', '--end-of-options', from, after, '--']
    : ['diff-tree', '-r', '--root', '--no-commit-id', '--name-only', '-z', '-m', '--first-parent'];
  if (!from) args.push('--end-of-options', after);
  try {
    const result = await runGit(args, { env: env(gitDir), maxOutputBytes: MAX_CHANGED_OUTPUT });
    if (result.code !== 0) {
      return from ? diffNames(gitDir, null, after) : [];
    }
    return [...new Set(result.stdout.toString('utf8').split('\0'))].filter((p) => p.length > 0);
  } catch (error) {
    if (error instanceof GitError && error.reason === 'too_large') return [];
    throw error;
  }
}
