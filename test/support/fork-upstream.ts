/**
 * A bare "forge" repository for webhook tests: `main` (two commits, the first with a
 * `.slipway.yml`), an annotated tag `v2` on main, and a fork's commit reachable only through
 * `refs/pull/12/head` — as a forge exposes a pull request from a fork.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, workRepo } from './git.js';

export interface ForkUpstream {
  bare: string;
  main: string;
  /** main's parent. */
  previous: string;
  /** The object id of the annotated tag v2 (not a commit). */
  tagObject: string;
  /** A fork's commit, reachable in the mirror only through refs/pull/12/head. */
  forkHead: string;
}

export async function makeForkUpstream(prefix: string): Promise<ForkUpstream> {
  const bare = await mkdtemp(join(tmpdir(), prefix));
  await git(bare, ['init', '-q', '--bare', '--initial-branch=main']);
  const work = await workRepo();
  try {
    const previous = await work.commit({ '.slipway.yml': 'version: 1\n' }, 'first');
    const main = await work.commit({ 'README.md': 'hi\n' }, 'second');
    await work.git('tag', '-a', 'v2', '-m', 'annotated', main);
    await work.git('checkout', '-q', '-b', 'fork-main', 'main');
    const forkHead = await work.commit({ 'evil.sh': 'curl evil' }, 'fork commit');
    await work.git('push', '-q', bare, 'main', 'v2', 'fork-main:refs/pull/12/head');
    const tagObject = await work.git('rev-parse', 'v2');
    return { bare, main, previous, tagObject, forkHead };
  } finally {
    await work.cleanup();
  }
}
