import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { PipelineEvent } from '../domain/event.js';
import type { Ref } from '../domain/ref.js';

const run = promisify(execFile);

/** git with an argument array (never a shell line); null when it fails (not a repo, no commit). */
async function git(cwd: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return null;
  }
}

/**
 * The event `slipway exec` evaluates filters against: the working tree's HEAD, or the ref the
 * user asks for with --branch / --tag (the sha stays HEAD's: it is a "what if" for filters).
 */
export async function eventFromWorkingTree(cwd: string, override: Ref | null): Promise<PipelineEvent> {
  const sha = (await git(cwd, ['rev-parse', 'HEAD']))?.trim() ?? '0'.repeat(40);
  const branch = (await git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']))?.trim();
  const message = (await git(cwd, ['log', '-1', '--format=%B']))?.trim() ?? '';
  const author = (await git(cwd, ['log', '-1', '--format=%an']))?.trim() ?? '';
  const time = Number((await git(cwd, ['log', '-1', '--format=%ct']))?.trim());
  const ref: Ref = override ?? { kind: 'branch', name: branch && branch !== 'HEAD' ? branch : 'local' };
  return {
    kind: ref.kind === 'tag' ? 'tag' : 'push',
    ref,
    sha,
    author: author || process.env.USER || 'local',
    message,
    ...(Number.isFinite(time) && time > 0 ? { commitTime: time * 1000 } : {}),
  };
}

/**
 * The files of the working tree that go into the workspace: tracked plus untracked-but-not-
 * ignored, as git sees them (so node_modules and build output stay out). Outside a git repo,
 * every regular file except `.git` and `node_modules`.
 */
export async function workingTreeFiles(cwd: string): Promise<string[]> {
  const listed = await git(cwd, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (listed !== null) {
    return [...new Set(listed.split('\0').filter((f) => f && existsSync(join(cwd, f))))];
  }
  return walk(cwd);
}

async function walk(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((p) => !p.split('/').some((part) => part === '.git' || part === 'node_modules'));
}
