/**
 * `clone:` — the run's workspace as a real git checkout, made here on the server from the
 * project's bare repository (or mirror) and handed to the agent as one tar, through the same
 * lease-scoped `source.tar` call as the plain archive. The agent therefore needs no git, no
 * network path to anything but the server, and no credential at all: it never fetches, so
 * nothing can be left in `.git/config`. What the tar holds is decided by the server from the
 * run it leased (its project, commit and stored plan), never by anything the agent sends, so
 * a lease reads exactly one commit's history of its own project.
 *
 * How: a throw-away repository fetches the commit with `--depth` over `file://` (a plain local
 * path would ignore the depth and hard-link every object), the run's branch is made a local
 * branch at it (a tag or pull request run gets a detached HEAD), tags whose commits are inside
 * the fetched history are added when asked for, and traces of the server (FETCH_HEAD with the
 * repository's path, reflogs, sample hooks) are removed before the directory is packed. Only
 * `.git` is written (its index read from the commit's tree); the files follow in the same tar
 * straight from `git archive`, exactly what `clone: false` sends.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Headers, pack } from 'tar-fs';
import { extract, type Pack as TarPack } from 'tar-stream';
import { GitError, gitOk, spawnGit } from './git-cli.js';
import { listRefValues } from './git-reads.js';

export interface CheckoutOptions {
  /** Commits of history (0: all of it). */
  depth: number;
  /** Also the tags that point into the fetched history (`git describe --tags`). */
  tags: boolean;
  /** Checked out as a local branch of this name; null: detached HEAD. */
  branch: string | null;
  /** The run's own tag, always fetched so `git describe` names it. */
  tag: string | null;
  /** `origin`'s URL (no credentials in it); null: no remote. */
  remoteUrl: string | null;
}

/** At most this many tags are fetched (one argument each); beyond, the newest by name win. */
const MAX_TAGS = 2000;
const FETCH_TIMEOUT_MS = 10 * 60_000;

export async function checkoutArchive(gitDir: string, sha: string, opts: CheckoutOptions): Promise<Readable> {
  const dir = await makeCheckout(gitDir, sha, opts);
  // `.git` first (from the temporary repository), then the files straight from `git archive`:
  // writing the work tree to disk only to read it back would double the I/O of every run.
  const tar = pack(dir, {
    entries: ['.git'],
    map: readableByAll,
    finalize: false,
    finish: (into) => appendTree(into, gitDir, sha),
  }) as unknown as Readable;
  let removed = false;
  const cleanup = () => {
    if (removed) return;
    removed = true;
    void rm(dir, { recursive: true, force: true });
  };
  tar.once('end', cleanup);
  tar.once('close', cleanup);
  tar.once('error', cleanup);
  return tar;
}

/** The commit's files (what `git archive` gives, as before `clone:`) appended to `into`. */
function appendTree(into: TarPack, gitDir: string, sha: string): void {
  const child = spawnGit(['archive', '--format=tar', '--end-of-options', sha], {
    env: { GIT_DIR: gitDir },
    timeoutMs: FETCH_TIMEOUT_MS,
  });
  child.stdin.end();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    // Only what a work tree holds; git's pax comment (the commit id) is not a file.
    if (!['file', 'directory', 'symlink'].includes(header.type ?? '')) {
      stream.on('end', () => next());
      stream.resume();
      return;
    }
    stream.pipe(into.entry(header, (err) => next(err ?? undefined)));
  });
  const fail = (error: Error) => {
    child.kill();
    into.destroy(error);
  };
  ex.on('error', fail);
  into.on('close', () => child.kill());
  // The tar ends only when git says it succeeded: a failure midway must not look complete.
  Promise.all([new Promise<void>((resolve) => ex.on('finish', resolve)), child.exited]).then(
    ([, { code, stderr }]) => {
      if (code === 0) into.finalize();
      else fail(new GitError(`git archive failed (exit ${code})`, 'exit', stderr));
    },
    (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
  );
  child.stdout.pipe(ex);
}

/**
 * A temporary directory holding the checkout's `.git` — no work tree: the files come from
 * `git archive` here, and from the developer's working copy in `slipway exec` (the caller
 * removes the directory). The index is the commit's tree, so `git status` compares with it.
 */
export async function makeCheckout(gitDir: string, sha: string, opts: CheckoutOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-checkout-'));
  try {
    await fillCheckout(gitDir, dir, sha, opts);
    return dir;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Everyone may read (the job's image may run as any user); owners are root like git archive's,
 * exec bits stay. Git's own read-only object files become plain readable files.
 */
export function readableByAll(header: Headers): Headers {
  const mode =
    header.type === 'directory'
      ? 0o755
      : header.type === 'file'
        ? header.mode & 0o100
          ? 0o755
          : 0o644
        : header.mode;
  return { ...header, uid: 0, gid: 0, mode };
}

async function fillCheckout(gitDir: string, dir: string, sha: string, opts: CheckoutOptions): Promise<void> {
  const env = {
    GIT_COMMITTER_NAME: 'Slipway',
    GIT_COMMITTER_EMAIL: 'slipway@localhost',
    GIT_AUTHOR_NAME: 'Slipway',
    GIT_AUTHOR_EMAIL: 'slipway@localhost',
  };
  const git = (args: string[]) =>
    gitOk(args, { cwd: dir, env, timeoutMs: FETCH_TIMEOUT_MS, maxOutputBytes: 256 * 1024 * 1024 });
  const source = `file://${gitDir}`;
  await git(['init', '--quiet', '--template=']);
  const depth = opts.depth > 0 ? [`--depth=${opts.depth}`] : [];
  await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', ...depth, source, sha]);
  const wanted = await tagsToFetch(gitDir, sha, opts, git);
  for (let i = 0; i < wanted.length; i += 200) {
    const specs = wanted.slice(i, i + 200).map((name) => `refs/tags/${name}:refs/tags/${name}`);
    // No --depth: the tags' commits are already here, only the tag objects travel.
    await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', source, ...specs]);
  }
  if (opts.branch) {
    await git(['update-ref', `refs/heads/${opts.branch}`, sha]);
    await git(['symbolic-ref', 'HEAD', `refs/heads/${opts.branch}`]);
  } else {
    await git(['update-ref', '--no-deref', 'HEAD', sha]);
  }
  await git(['read-tree', sha]);
  if (opts.remoteUrl) {
    await git(['remote', 'add', 'origin', opts.remoteUrl]);
    if (opts.branch) {
      await git(['update-ref', `refs/remotes/origin/${opts.branch}`, sha]);
      // As config rather than `git branch --set-upstream-to`: a name is never parsed as an option.
      await git(['config', `branch.${opts.branch}.remote`, 'origin']);
      await git(['config', `branch.${opts.branch}.merge`, `refs/heads/${opts.branch}`]);
    }
  }
  // The server's paths and times are nobody's business in the job.
  await rm(join(dir, '.git', 'logs'), { recursive: true, force: true });
  await rm(join(dir, '.git', 'FETCH_HEAD'), { force: true });
  for (const name of await readdir(join(dir, '.git', 'hooks')).catch(() => [] as string[])) {
    await rm(join(dir, '.git', 'hooks', name), { force: true });
  }
}

/** The run's tag, plus (with `tags: true`) every tag whose commit the checkout holds. */
async function tagsToFetch(
  gitDir: string,
  sha: string,
  opts: CheckoutOptions,
  git: (args: string[]) => Promise<string>,
): Promise<string[]> {
  const names = new Set<string>();
  if (opts.tag) names.add(opts.tag);
  if (opts.tags) {
    // The shallow history only: rev-list stops at the depth's boundary.
    const held = new Set((await git(['rev-list', sha])).split('\n'));
    for (const value of await listRefValues(gitDir, ['refs/tags/'])) {
      if (value.commit && held.has(value.commit)) names.add(value.ref.slice('refs/tags/'.length));
    }
  }
  return [...names].sort().reverse().slice(0, MAX_TAGS);
}
