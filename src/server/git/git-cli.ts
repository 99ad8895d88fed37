import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * The one place the server starts git. Every call:
 *   - takes an argument array (never a shell line); callers put `--end-of-options` before any
 *     ref that comes from outside;
 *   - gets a minimal environment: nothing of the server's own (no tokens, no HOME with a
 *     credential helper), no system/global git config, and no terminal prompt, so a remote
 *     asking for a password fails instead of hanging;
 *   - is killed (with the processes it started: git runs helpers such as index-pack) after a
 *     timeout.
 * `runGit` collects the output with a size cap; `spawnGit` streams it (archives, smart HTTP).
 */

/** Fixed, not inherited: the server's PATH may point at anything; git lives in these. */
const SAFE_PATH = '/usr/local/bin:/usr/bin:/bin';
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;
const STDERR_KEEP = 8 * 1024;

export class GitError extends Error {
  constructor(
    message: string,
    readonly reason: 'exit' | 'timeout' | 'too_large' | 'spawn',
    readonly stderr = '',
  ) {
    super(message);
  }
}

export interface GitSpawnOptions {
  /** Extra environment (GIT_DIR, GIT_INDEX_FILE, CGI variables, GIT_CONFIG_COUNT…). */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

export interface GitChild {
  stdin: Writable;
  stdout: Readable;
  /** Exit code and the tail of stderr; rejects on timeout or when git could not start. */
  exited: Promise<{ code: number; stderr: string }>;
  kill(): void;
}

export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: SAFE_PATH,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...extra,
  };
}

export function spawnGit(args: string[], opts: GitSpawnOptions = {}): GitChild {
  // detached: git gets its own process group, so a kill reaches its helpers too.
  const child = spawn('git', args, {
    env: gitEnv(opts.env),
    cwd: opts.cwd ?? '/',
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  // git may exit before reading all its input (e.g. a missing repo); that is not our error.
  child.stdin.on('error', () => {});
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  timer.unref();
  const exited = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new GitError(`git could not start: ${error.message}`, 'spawn'));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new GitError(`git ${args[0] ?? ''} timed out`, 'timeout', stderr));
      else resolve({ code: code ?? -1, stderr });
    });
  });
  // Callers that only stream may never await `exited`; keep its rejection from being unhandled.
  exited.catch(() => {});
  return { stdin: child.stdin, stdout: child.stdout, exited, kill };
}

export interface GitRunOptions extends GitSpawnOptions {
  input?: string | Buffer;
  /** stdout beyond this kills git and rejects with reason `too_large`. */
  maxOutputBytes?: number;
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs git to completion. Resolves with any exit code; callers decide what a non-zero means. */
export async function runGit(args: string[], opts: GitRunOptions = {}): Promise<GitResult> {
  const child = spawnGit(args, opts);
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > max) {
      tooLarge = true;
      child.kill();
      return;
    }
    chunks.push(chunk);
  });
  child.stdin.end(opts.input ?? '');
  const { code, stderr } = await child.exited;
  if (tooLarge) throw new GitError(`git ${args[0] ?? ''} output is over ${max} bytes`, 'too_large', stderr);
  return { code, stdout: Buffer.concat(chunks), stderr };
}

/** runGit for commands that must succeed: returns stdout as text, throws GitError otherwise. */
export async function gitOk(args: string[], opts: GitRunOptions = {}): Promise<string> {
  const result = await runGit(args, opts);
  if (result.code !== 0) {
    throw new GitError(`git ${args[0] ?? ''} failed (exit ${result.code})`, 'exit', result.stderr);
  }
  return result.stdout.toString('utf8');
}
