/**
 * Git helpers for tests of the git and webhook areas: the real `git` CLI on throwaway
 * repositories (isolated from the machine's own git config), project rows inserted directly,
 * and a RunService that records what it is asked to create instead of planning runs.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import type { SlipwayServer } from '../../src/server/create-server.js';
import type { CreateRunInput, RunService } from '../../src/server/services.js';
import type { Forge, ProjectRow, RunRow } from '../../src/server/store/tables.js';
import { projectRow } from './rows.js';

const execFileAsync = promisify(execFile);

const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Ada Tester',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Tester',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
};

/** Runs git; rejects with git's stderr in the message when it fails. */
export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', ['-c', 'credential.helper=', ...args], {
      cwd,
      env: GIT_ENV,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`git ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

export interface WorkRepo {
  dir: string;
  /** Writes files (path → text), commits them, returns the new sha. */
  commit(files: Record<string, string>, message: string): Promise<string>;
  git(...args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

/** A non-bare repository on `branch` with no commits yet. */
export async function workRepo(branch = 'main'): Promise<WorkRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-work-'));
  await git(dir, ['init', '-q', `--initial-branch=${branch}`]);
  return {
    dir,
    git: (...args) => git(dir, args),
    async commit(files, message) {
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      await git(dir, ['add', '-A']);
      await git(dir, ['commit', '-q', '--allow-empty', '-m', message]);
      return git(dir, ['rev-parse', 'HEAD']);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Inserts a project row; a webhook secret is sealed with the server's key. */
export async function insertProject(
  server: SlipwayServer,
  opts: {
    name: string;
    kind?: 'builtin' | 'remote';
    remoteUrl?: string;
    forge?: Forge;
    webhookSecret?: string;
    defaultBranch?: string;
  },
): Promise<ProjectRow> {
  const row = projectRow({
    name: opts.name,
    source_kind: opts.kind ?? 'builtin',
    remote_url: opts.remoteUrl ?? null,
    forge: opts.forge ?? null,
    default_branch: opts.defaultBranch ?? 'main',
    webhook_secret: server.ctx.secretBox.seal(opts.webhookSecret ?? randomUUID()),
    created_at: server.ctx.now(),
  });
  await server.ctx.db.insertInto('projects').values(row).execute();
  return row;
}

export interface RecordingRuns extends RunService {
  calls: CreateRunInput[];
  /** Resolves once `count` runs were asked for (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<CreateRunInput[]>;
}

/** A RunService that only records createRun calls. */
export function recordingRuns(): RecordingRuns {
  const calls: CreateRunInput[] = [];
  const unused = () => Promise.reject(new Error('not used in this test'));
  return {
    calls,
    async createRun(input) {
      calls.push(input);
      return { id: `run-${calls.length}`, number: calls.length } as RunRow;
    },
    cancel: unused,
    rerun: unused,
    playJob: unused,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (calls.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} runs, got ${calls.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return calls;
    },
  };
}

/** A logger that drops everything (for services built outside a server). */
export function silentLogger(): FastifyBaseLogger {
  const noop = () => {};
  const log = {
    level: 'silent',
    fatal: noop,
    error: noop,
    warn: noop,
    info: noop,
    debug: noop,
    trace: noop,
    silent: noop,
    child: () => log,
  };
  return log as unknown as FastifyBaseLogger;
}

/** Gives background work a moment, then returns (for "nothing happened" assertions). */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
