/**
 * Runs jobs as processes on this machine, for hosts without Docker. There is no isolation:
 * images are ignored, services are refused, and the workspace is a plain directory
 * `<baseDir>/<runId>/workspace` shared by the jobs of a run.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import { writeSystemLine } from '../../domain/system-line-codes.js';
import type { Backend, JobOutcome, JobOutput, JobSpec, RunSetup } from '../backend.js';
import { copySource } from './copy-source.js';
import { extractArchive } from './extract-archive.js';
import { signalGroup, startHostProcess } from './host-process.js';

export interface LocalBackendOptions {
  /** Directory under which each run gets its own directory. */
  baseDir: string;
}

/** What this backend holds for a run between setupRun and destroyRun. */
interface LocalRun {
  workspace: string;
  /** Job processes still running, so destroyRun can end them. */
  processes: Map<ChildProcess, Promise<unknown>>;
  /** Skipped source files; setupRun has no output, so the first job reports them. */
  warnings: string[];
}

/** Host variables a job gets; anything else from Slipway's own environment stays out of jobs. */
const HOST_VARIABLES = ['PATH', 'HOME'] as const;

/** Variables that name the workspace; inside a container it is `workspacePath`, here a host directory. */
const WORKSPACE_VARIABLES = ['SLIPWAY_WORKSPACE', 'CI_WORKSPACE', 'CI_PROJECT_DIR'] as const;

export class LocalBackend implements Backend {
  readonly name = 'local';
  private readonly baseDir: string;
  private readonly runs = new Map<string, LocalRun>();

  constructor(options: LocalBackendOptions) {
    this.baseDir = options.baseDir;
  }

  async probe(): Promise<{ ok: true }> {
    return { ok: true };
  }

  async setupRun(run: RunSetup): Promise<void> {
    const workspace = join(this.runDir(run.workspaceId ?? run.runId), 'workspace');
    // A kept workspace of an earlier run keeps its files: nothing is copied over them.
    const reused = run.reuseWorkspace === true && (await isDirectory(workspace));
    await mkdir(workspace, { recursive: true });
    const warnings = reused ? [] : await this.fill(run, workspace);
    // A repeated setupRun must not lose track of processes already running.
    const processes = this.runs.get(run.runId)?.processes ?? new Map();
    this.runs.set(run.runId, { workspace, processes, warnings });
  }

  async runJob(job: JobSpec, output: JobOutput, signal: AbortSignal): Promise<JobOutcome> {
    const run = this.runs.get(job.runId);
    if (!run)
      return { kind: 'backend_error', message: `run ${job.runId} was not set up on the local backend` };
    if (job.services.length > 0)
      return { kind: 'backend_error', message: 'services need the Docker backend' };
    writeSystemLine(
      output,
      'local.image_ignored',
      { image: job.image },
      `[slipway] local backend: running on the host, image "${job.image}" is ignored`,
    );
    for (const warning of run.warnings.splice(0)) output.system(warning);
    if (job.caches?.length)
      writeSystemLine(
        output,
        'local.no_caches',
        {},
        'cache: the local backend keeps no caches; the job runs without them',
      );
    if (signal.aborted) return { kind: 'aborted' };

    const { child, ended } = startHostProcess({
      script: job.script,
      cwd: run.workspace,
      env: jobEnvironment(job, run.workspace),
      graceMs: job.graceMs,
      signal,
      onOutput: (stream, chunk) => output.write(stream, chunk),
      ...(output.ready ? { ready: () => output.ready?.() ?? null } : {}),
    });
    run.processes.set(child, ended);
    try {
      const end = await ended;
      if (end.kind === 'spawn_failed')
        return { kind: 'backend_error', message: `could not start the job: ${end.message}` };
      return end;
    } finally {
      run.processes.delete(child);
    }
  }

  async destroyRun(runId: string, opts: { keepWorkspace?: boolean } = {}): Promise<void> {
    const run = this.runs.get(runId);
    if (run) {
      for (const child of run.processes.keys()) signalGroup(child, 'SIGKILL');
      // Removing the directory under a process still writing to it could fail or leave files.
      await Promise.all(run.processes.values());
      this.runs.delete(runId);
    }
    if (!opts.keepWorkspace) await rm(this.runDir(runId), { recursive: true, force: true, maxRetries: 3 });
  }

  async readWorkspace(runId: string, dir: string): Promise<Readable | null> {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`run ${runId} was not set up on the local backend`);
    const path = resolve(run.workspace, dir);
    if (path !== run.workspace && !path.startsWith(`${run.workspace}${sep}`)) return null;
    if (!(await isDirectory(path))) return null;
    // Links are packed as links (never followed): the caller refuses them.
    return pack(path) as unknown as Readable;
  }

  async writeWorkspace(runId: string, tar: Readable): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`run ${runId} was not set up on the local backend`);
    await extractArchive(tar, run.workspace);
  }

  /** A run directory holds only its workspace, so its mtime is when the workspace was created. */
  async pruneWorkspaces(createdBefore: number, inUse: ReadonlySet<string>): Promise<string[]> {
    const entries = await readdir(this.baseDir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const id of entries.sort()) {
      if (inUse.has(id) || this.runs.has(id)) continue;
      const info = await stat(join(this.baseDir, id)).catch(() => null);
      if (!info?.isDirectory() || info.mtimeMs >= createdBefore) continue;
      await rm(join(this.baseDir, id), { recursive: true, force: true, maxRetries: 3 });
      removed.push(id);
    }
    return removed;
  }

  private async fill(run: RunSetup, workspace: string): Promise<string[]> {
    switch (run.source.kind) {
      case 'empty':
        return [];
      case 'directory':
        return copySource(run.source.path, run.source.files, workspace);
      case 'archive':
        return extractArchive(await run.source.open(), workspace);
    }
  }

  /** The run id becomes a path: one plain segment only, or a crafted id could escape baseDir. */
  private runDir(runId: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(runId) || runId === '.' || runId === '..') {
      throw new Error(`invalid run id for the local backend: ${JSON.stringify(runId)}`);
    }
    return join(this.baseDir, runId);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/**
 * The job's variables plus PATH and HOME from the host (a host process has no image to supply
 * them); the workspace variables point at the host directory, since `workspacePath` exists only
 * inside containers.
 */
function jobEnvironment(job: JobSpec, workspace: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of HOST_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, job.env);
  for (const name of WORKSPACE_VARIABLES) if (Object.hasOwn(job.env, name)) env[name] = workspace;
  env.SLIPWAY_WORKSPACE = workspace;
  return env;
}
