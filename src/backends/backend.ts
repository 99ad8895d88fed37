import type { Readable } from 'node:stream';
import type { JobResources } from '../domain/job-resources.js';
import type { CodedSystemLine } from '../domain/system-line-codes.js';
import type { JobCacheSpec } from './cache-spec.js';

/**
 * A Backend runs the containers (or processes) of one run. The runtime drives it; nothing else
 * talks to Docker.
 *
 * Lifecycle, per run:
 *   1. `setupRun(run)` once, before any job: creates the workspace (a volume with the source at
 *      `run.workspacePath`) and anything else the run shares. Must be awaited before step 2.
 *      The workspace is named by `run.workspaceId` (default: the run id). With `reuseWorkspace`
 *      and a workspace of that id still present (kept by an earlier run), the source is not
 *      copied again: the run continues with the files the earlier one left ("resume from
 *      failed"); without one, it starts from the source as usual.
 *   2. `runJob(job, output, signal)` for each job; calls for different jobs MAY run
 *      concurrently (parallel jobs of a stage). It starts the job's services, then the job's
 *      container, streams its output as raw chunks to `output`, waits for it and removes what it
 *      created for this job (services, job network). It resolves with the outcome; it rejects
 *      only for bugs — operational problems are outcomes (`backend_error`, `image_not_found`).
 *      When `signal` aborts (cancel or timeout) the job's processes get SIGTERM, then SIGKILL
 *      after `job.graceMs`, and runJob resolves with `{ kind: 'aborted' }`.
 *   3. `destroyRun(runId, opts)` once at the end, also after failures and cancel: removes everything
 *      labelled with the run id (containers, volumes, networks). Idempotent; safe to call for a
 *      run that never started or was partly cleaned. Also used to reap runs of a crashed process.
 *      With `keepWorkspace` the workspace stays (only containers and networks go), for a later
 *      run to reuse; kept workspaces are removed by `pruneWorkspaces` once old enough, as is a
 *      reused workspace of another id (destroyRun of the resumed run does not touch it).
 *
 * `buildImage(spec, output, signal)` (optional; step 2 for `build:` jobs, instead of runJob):
 *   builds an image from the run's workspace (the context is read from the workspace, so it
 *   needs setupRun first), tags it, and pushes every tag when `spec.push` is set. Like runJob
 *   it streams readable lines to `output`, resolves with an outcome (failures are outcomes, never
 *   throws) and resolves `{ kind: 'aborted' }` when `signal` aborts. It never writes registry
 *   credentials or secret values to `output`, to the image, or to the workspace. A backend
 *   without it cannot run build jobs (the runtime fails them with `backend_error`).
 *
 * `readWorkspace(runId, dir)` / `writeWorkspace(runId, tar)` (optional; between setupRun and
 *   destroyRun, never while a job of the run writes the same files): read a workspace directory
 *   out as a tar stream whose entries are named relative to `dir` (null when `dir` is not a
 *   directory), and unpack a tar into the workspace (entries relative to its root). Artifacts
 *   leave and return through them. Entries are data: symlinks come out as symlink entries (the
 *   caller decides), and writing never follows a link out of the workspace.
 *
 * `pruneWorkspaces` may run at any time, concurrently with runs: it never removes a workspace
 * named in `inUse`.
 */
export interface Backend {
  readonly name: string;
  /** Whether this backend can run jobs here (engine reachable, …), with a reason when not. */
  probe(): Promise<{ ok: true } | { ok: false; reason: string }>;
  setupRun(run: RunSetup): Promise<void>;
  runJob(job: JobSpec, output: JobOutput, signal: AbortSignal): Promise<JobOutcome>;
  /** Builds (and pushes) an image from the workspace; see the lifecycle above. */
  buildImage?(spec: BuildSpec, output: JobOutput, signal: AbortSignal): Promise<BuildOutcome>;
  destroyRun(runId: string, opts?: { keepWorkspace?: boolean }): Promise<void>;
  /** A tar of workspace directory `dir` ('.' = all), names relative to it; null when absent. */
  readWorkspace?(runId: string, dir: string): Promise<Readable | null>;
  /** Unpacks `tar` (names relative to the workspace) into the run's workspace. */
  writeWorkspace?(runId: string, tar: Readable): Promise<void>;
  /** Removes kept workspaces created before `createdBefore` (Unix ms); returns their ids. */
  pruneWorkspaces(createdBefore: number, inUse: ReadonlySet<string>): Promise<string[]>;
  /** Releases what the backend keeps between runs (warm containers); at shutdown, after the runs. */
  close?(): Promise<void>;
}

export interface RunSetup {
  runId: string;
  /** Absolute path inside containers where the workspace is mounted (the working dir). */
  workspacePath: string;
  /** Files to put in the workspace before the first job. */
  source: WorkspaceSource;
  /** Images the run will use, so the backend may prepare (pull) them early. */
  images: string[];
  /** Extra labels set on everything created for this run. */
  labels: Record<string, string>;
  /** Names the workspace; default `runId`. A resumed run names the workspace of the run it resumes. */
  workspaceId?: string;
  /** Keep the files of an existing workspace of `workspaceId` instead of copying the source in. */
  reuseWorkspace?: boolean;
  /** The run has build jobs: the backend may prepare what they need (a reader of the workspace). */
  builds?: boolean;
  /**
   * Who this run may share pre-started job containers with (the Docker backend's warm pool):
   * runs of one key only — one project and trust level, never across. Absent: none.
   */
  warmPool?: string;
}

export type WorkspaceSource =
  | { kind: 'empty' }
  /** A directory on the machine running the backend; `files` are paths relative to it. */
  | { kind: 'directory'; path: string; files: string[] }
  /**
   * A tar of the tree (what a server hands its agents). `open` is called at most once, only
   * when the source is actually needed, and its stream is read to the end or destroyed.
   */
  | { kind: 'archive'; open: () => Promise<Readable> };

export interface ServiceSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  command: string[] | null;
}

export interface JobSpec {
  runId: string;
  /** Unique in the run; used in container names and labels. */
  name: string;
  image: string;
  /** The full shell script to run with `/bin/sh -c` (echo + set -e already in it). */
  script: string;
  /** The job's own script lines, for backends that interpret rather than execute (the fake). */
  commands?: string[];
  /** Everything the job sees: standard variables, config env, the secrets it names. */
  env: Record<string, string>;
  services: ServiceSpec[];
  workspacePath: string;
  /** Grace period between SIGTERM and SIGKILL on abort. */
  graceMs: number;
  /**
   * Limits of the job's container and of each of its services. Absent: the built-in defaults
   * (BUILTIN_RESOURCE_LIMITS). Backends without containers (local) cannot enforce them.
   */
  resources?: JobResources;
  /** Caches to restore before and save after the job (cache-spec.ts); backends without caches say so. */
  caches?: JobCacheSpec[];
}

export interface JobOutput {
  /** Raw bytes from the job's stdout/stderr, in order per stream; may split lines anywhere. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** Slipway's own messages about the job (pull, services, cleanup). One line each. */
  system(text: string): void;
  /**
   * A system line with a code and params beside its English text (domain/system-line-codes.ts),
   * so the UI can translate it. Optional: outputs without it get the text (writeSystemLine).
   */
  systemCode?(line: CodedSystemLine): void;
  /**
   * Backpressure: null while more output is welcome, else a promise that resolves once it is.
   * A backend asks after handing over output and stops reading the job's streams until the
   * promise resolves, so a job printing faster than its log can be shipped is slowed down (its
   * writes block) instead of its output piling up in memory. Optional: absent = always welcome.
   */
  ready?(): Promise<void> | null;
}

export type JobOutcome =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'aborted' }
  | { kind: 'image_not_found'; image: string; message: string }
  | { kind: 'backend_error'; message: string };

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface BuildSpec {
  runId: string;
  /** The build job's name (labels, container names). */
  name: string;
  workspacePath: string;
  /** Relative to the workspace. */
  dockerfile: string;
  /** Relative to the workspace. */
  context: string;
  target: string | null;
  args: Record<string, string>;
  /** Labels set on the image (run, project, revision). */
  labels: Record<string, string>;
  /**
   * Images to take cached layers from when present locally (the branch's previous image);
   * `repo:prefix*` means the newest local tag of repo starting with prefix.
   */
  cacheFrom: string[];
  /** Full repository without tag, including the registry host when pushing (`host:5000/team/api`). */
  repository: string;
  tags: string[];
  push: boolean;
  /** Registry host[:port] for the push; null when the image stays local. */
  registry: string | null;
  /** null = push anonymously. */
  credentials: RegistryCredentials | null;
  /** BuildKit secrets by id (`RUN --mount=type=secret,id=NAME`). */
  secrets: Record<string, string>;
  /** Bound on each push (a hanging registry); default 60 s. */
  pushTimeoutMs?: number;
  /** Build every step afresh (no layer cache). */
  noCache?: boolean;
}

/** What a build produced (mirrors the protocol's builtImage). */
export interface BuiltImage {
  repository: string;
  tags: string[];
  /** Registry manifest digest when pushed; null when the image stayed local. */
  digest: string | null;
  imageId: string;
  size: number | null;
  pushed: boolean;
  registry: string | null;
}

export type BuildFailureKind =
  | 'dockerfile_missing'
  | 'build_failed'
  | 'unknown_target'
  | 'push_failed'
  | 'invalid_reference'
  | 'backend_error';

export type BuildOutcome =
  | { kind: 'built'; image: BuiltImage }
  | { kind: 'aborted' }
  | { kind: BuildFailureKind; message: string };
