import type { Backend, BuiltImage, WorkspaceSource } from '../backends/backend.js';
import type { CacheRemote } from '../backends/cache-spec.js';
import type { ResourceLimits } from '../domain/job-resources.js';
import type { LogLine } from '../domain/log-line.js';
import { aggregateStatus, isTerminal, type Status } from '../domain/status.js';
import type { Plan, PlanJob, SkipReason } from '../pipeline/plan/plan.js';
import type { PushPolicy, RegistryLogin } from './build-spec.js';
import { expandPlan } from './expand-job.js';
import { readiness, withExitCodeAllowance } from './job-flow.js';
import { type AfterJob, type DeployRunner, type JobEnd, runJob } from './run-job.js';
import type { JobResult, RunEvent, RunResult, StageResult } from './run-result.js';
import { SecretMasker } from './secret-masker.js';
import type { RunIdentity } from './standard-env.js';

export interface RunOptions {
  runId: string;
  runNumber: number;
  backend: Backend;
  source: WorkspaceSource;
  /** Where the workspace is mounted in every job; also the working directory. */
  workspacePath?: string;
  /** All secrets available to the run; a job gets only the ones it names. */
  secrets?: Record<string, string>;
  /** Aborting cancels the run: running jobs are stopped, the rest skipped. */
  signal?: AbortSignal;
  graceMs?: number;
  maxLogBytes?: number;
  labels?: Record<string, string>;
  /** Run only these jobs / stages (others are skipped as "not selected"). */
  selection?: { jobs?: string[]; stages?: string[] };
  /** Run `when: manual` jobs instead of leaving them waiting. */
  runManual?: boolean;
  /** Names the workspace (default `runId`): a resumed run names the run whose workspace it continues. */
  workspaceId?: string;
  /** Continue in the files an earlier run left in workspace `workspaceId` when it is still there. */
  reuseWorkspace?: boolean;
  /** Leave the workspace behind at the end (containers still go), for a later run to reuse. */
  keepWorkspace?: boolean;
  onEvent?: (event: RunEvent) => void;
  /**
   * Whether the receiver of `onEvent` takes more log lines now: null, or a promise that
   * resolves when it does. Backends stop reading jobs' output meanwhile (JobOutput.ready).
   */
  logReady?: () => Promise<void> | null;
  now?: () => number;
  /** Registry credentials for build jobs' pushes (from the lease); passwords are masked in logs. */
  registries?: RegistryLogin[];
  /** What build jobs may push (from the lease: untrusted runs and refused targets do not). */
  pushPolicy?: PushPolicy;
  /** Repository of builds that name no `image:` (the project's name). */
  imageRepository?: string;
  /** The project's name, for image labels. */
  project?: string;
  /** The server's cache store (the agent's lease); absent: caches stay on this machine. */
  cacheRemote?: CacheRemote;
  /** Bound on pushing one tag (a hanging registry). */
  pushTimeoutMs?: number;
  /** Runs `deploy:` jobs; without it they fail with a clear message. */
  deployJob?: DeployRunner;
  /** Masks logs and messages; default: one for `secrets` and the registries' passwords. */
  masker?: SecretMasker;
  /** Defaults and maxima of jobs' `resources:` (the server's or exec's; default built in). */
  resourceLimits?: ResourceLimits;
  /**
   * Jobs of this run that may run at once (default DEFAULT_MAX_PARALLEL_JOBS). A stage of
   * hundreds of parallel jobs then starts them in waves instead of hundreds of containers.
   */
  maxParallelJobs?: number;
  /** Runs that may share pre-started job containers (see RunSetup.warmPool); absent: none. */
  warmPool?: string;
  /** Uploads a job's artifacts and reports when it ends (see AfterJob). */
  afterJob?: AfterJob;
  /**
   * Once the workspace is set up, before the first job: the agent restores earlier jobs'
   * artifacts here. A throw fails the jobs like a setup failure, with its message.
   */
  afterSetup?: () => Promise<void>;
}

export const DEFAULT_WORKSPACE = '/workspace';
/** What one run may start at once unless the agent says otherwise; a host runs few more containers well. */
export const DEFAULT_MAX_PARALLEL_JOBS = 8;

/**
 * Runs a Plan to the end on one backend.
 *
 * Scheduling: a job starts when every job it depends on (its `needs`, or else all jobs of the
 * earlier stages) has finished well: succeeded, failed while allowed to, was filtered out, or is
 * a manual job nobody ran (manual jobs never hold a stage back). When a dependency failed or
 * was canceled the job is skipped. Ready jobs run in parallel, at most `maxParallelJobs` at once. The workspace is set up once
 * and destroyed at the end, whatever happens (or kept, with `keepWorkspace`).
 */
export async function runPipeline(planned: Plan, opts: RunOptions): Promise<RunResult> {
  const workspacePath = opts.workspacePath ?? DEFAULT_WORKSPACE;
  const run: RunIdentity = {
    runId: opts.runId,
    runNumber: opts.runNumber,
    workspacePath,
    ...(opts.project !== undefined ? { project: opts.project } : {}),
    ...(opts.imageRepository !== undefined ? { imageRepository: opts.imageRepository } : {}),
  };
  // `$VAR` in images, services and builds, now that every standard variable is known.
  const plan = expandPlan(planned, run);
  const now = opts.now ?? Date.now;
  const emit = opts.onEvent ?? (() => {});
  const startedAt = now();
  const jobs = plan.stages.flatMap((s) => s.jobs);
  const results = new Map<string, JobResult>(jobs.map((j) => [j.name, initialResult(plan, j, opts)]));
  const cancel = opts.signal ?? new AbortController().signal;
  const secrets = opts.secrets ?? {};
  const registries = opts.registries ?? [];
  const builtImages = new Map<string, BuiltImage>();
  const masker = opts.masker ?? runMasker(secrets, registries);

  for (const result of results.values()) emit({ type: 'job', job: { ...result } });

  const toRun = jobs.filter((j) => results.get(j.name)?.status === 'pending');
  if (toRun.length > 0) {
    const setupError = await setup(plan, opts, workspacePath, toRun);
    if (setupError) {
      for (const job of toRun) {
        finish(results, job.name, now, emit, {
          status: 'failed',
          failure: { reason: 'backend_error', message: masker.maskText(setupError) },
          exitCode: null,
        });
      }
    } else {
      await schedule(jobs, results, {
        maxParallel: Math.max(1, Math.floor(opts.maxParallelJobs ?? DEFAULT_MAX_PARALLEL_JOBS)),
        now,
        emit,
        cancel,
        start: (job, signal) =>
          runJob(
            job,
            {
              plan,
              run,
              backend: opts.backend,
              secrets,
              masker,
              graceMs: opts.graceMs ?? 10_000,
              ...(opts.maxLogBytes ? { maxLogBytes: opts.maxLogBytes } : {}),
              onLine: (line: LogLine) => emit({ type: 'log', job: job.name, line }),
              ...(opts.logReady ? { logReady: opts.logReady } : {}),
              now,
              registries,
              ...(opts.pushPolicy ? { pushPolicy: opts.pushPolicy } : {}),
              ...(opts.imageRepository !== undefined ? { defaultRepository: opts.imageRepository } : {}),
              ...(opts.project !== undefined ? { project: opts.project } : {}),
              ...(opts.cacheRemote ? { cacheRemote: opts.cacheRemote } : {}),
              ...(opts.pushTimeoutMs !== undefined ? { pushTimeoutMs: opts.pushTimeoutMs } : {}),
              ...(opts.deployJob ? { deployJob: opts.deployJob } : {}),
              ...(opts.resourceLimits ? { resourceLimits: opts.resourceLimits } : {}),
              ...(opts.afterJob ? { afterJob: opts.afterJob } : {}),
              builtImages,
              onRetry: (retried, attempt, earlier) => {
                const r = results.get(retried.name) as JobResult;
                r.attempt = attempt;
                r.attempts = earlier;
                emit({ type: 'job', job: { ...r } });
              },
            },
            signal,
          ).then((end) => {
            if (end.image) builtImages.set(job.name, end.image);
            return withExitCodeAllowance(job, end);
          }),
      });
    }
    await opts.backend.destroyRun(opts.runId, { keepWorkspace: opts.keepWorkspace === true }).catch(() => {
      // Cleanup is retried by the next run's reaper; a failure here must not hide the result.
    });
  }

  const jobResults = jobs.map((j) => results.get(j.name) as JobResult);
  return {
    runId: opts.runId,
    record: plan.record,
    status: runStatus(plan, jobResults, cancel.aborted),
    stages: plan.stages.map((s) => stageResult(s.name, jobResults)),
    jobs: jobResults,
    startedAt,
    finishedAt: now(),
  };
}

/** What a run masks: every secret value and every registry password it was given. */
export function runMasker(secrets: Record<string, string>, registries: RegistryLogin[]): SecretMasker {
  return new SecretMasker([...Object.values(secrets), ...registries.map((r) => r.password)]);
}

async function setup(plan: Plan, opts: RunOptions, workspacePath: string, toRun: PlanJob[]) {
  const images = new Set<string>();
  for (const job of toRun) {
    // Build and deploy jobs run on the engine, not in a job image.
    // An image named through variables is usually built by this run: known only when its job starts.
    if (!job.build && !job.deploy && !job.image.includes('$')) images.add(job.image);
    for (const service of job.services) images.add(service.image);
  }
  try {
    await opts.backend.setupRun({
      runId: opts.runId,
      workspacePath,
      source: opts.source,
      images: [...images],
      labels: { 'io.slipway.record': plan.record, ...opts.labels },
      ...(opts.workspaceId ? { workspaceId: opts.workspaceId } : {}),
      reuseWorkspace: opts.reuseWorkspace === true,
      builds: toRun.some((job) => job.build !== undefined),
      ...(opts.warmPool !== undefined ? { warmPool: opts.warmPool } : {}),
    });
  } catch (error) {
    return `could not prepare the run's workspace on ${opts.backend.name}: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    await opts.afterSetup?.();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

interface Scheduler {
  /** Jobs running at once; a ready job beyond it waits for a running one to end. */
  maxParallel: number;
  now: () => number;
  emit: (event: RunEvent) => void;
  cancel: AbortSignal;
  start: (job: PlanJob, signal: AbortSignal) => Promise<JobEnd>;
}

async function schedule(jobs: PlanJob[], results: Map<string, JobResult>, s: Scheduler): Promise<void> {
  const running = new Map<string, Promise<void>>();
  const wake = { resolve: () => {} };

  const onCancel = () => {
    for (const job of jobs) {
      const r = results.get(job.name) as JobResult;
      if (r.status === 'pending')
        skip(results, job.name, s, { code: 'run_canceled', message: 'the run was canceled' });
    }
    wake.resolve();
  };
  s.cancel.addEventListener('abort', onCancel, { once: true });
  if (s.cancel.aborted) onCancel();

  try {
    for (;;) {
      let progressed = false;
      for (const job of jobs) {
        const result = results.get(job.name) as JobResult;
        if (result.status !== 'pending' || running.has(job.name)) continue;
        const verdict = readiness(job, results);
        if (verdict === 'wait') continue;
        // Full: the job stays pending (plan order keeps its place); a job ending wakes us.
        if (verdict === 'ready' && running.size >= s.maxParallel) continue;
        progressed = true;
        if (verdict !== 'ready') {
          skip(results, job.name, s, verdict);
          continue;
        }
        result.status = 'running';
        result.startedAt = s.now();
        s.emit({ type: 'job', job: { ...result } });
        const done = s.start(job, s.cancel).then((end) => {
          finish(results, job.name, s.now, s.emit, end);
          running.delete(job.name);
          wake.resolve();
        });
        running.set(job.name, done);
      }
      if (progressed) continue;
      if (running.size === 0) break;
      await new Promise<void>((resolve) => {
        wake.resolve = resolve;
      });
    }
  } finally {
    s.cancel.removeEventListener('abort', onCancel);
  }
}

function initialResult(plan: Plan, job: PlanJob, opts: RunOptions): JobResult {
  const base: JobResult = {
    name: job.name,
    stage: job.stage,
    status: 'pending',
    allowFailure: job.allowFailure,
    failure: null,
    skip: null,
    exitCode: null,
    startedAt: null,
    finishedAt: null,
  };
  const skipReason = plan.skip ?? job.skip ?? notSelected(job, opts);
  if (skipReason) return { ...base, status: 'skipped', skip: skipReason };
  const explicitlyChosen = opts.selection?.jobs?.includes(job.name) ?? false;
  // `slipway exec` has no applications to release to: a deploy job is the server's part of the
  // pipeline, so a local run of the whole file skips it instead of failing (asked for by name,
  // it still runs and fails saying why).
  if (job.deploy && !opts.deployJob && !explicitlyChosen) {
    return {
      ...base,
      status: 'skipped',
      skip: {
        code: 'not_selected',
        message: 'a deploy job: it releases to an application of a Slipway server',
      },
    };
  }
  if (job.manual && !opts.runManual && !explicitlyChosen) return { ...base, status: 'manual' };
  return base;
}

function notSelected(job: PlanJob, opts: RunOptions): SkipReason | null {
  const sel = opts.selection;
  if (!sel || (!sel.jobs?.length && !sel.stages?.length)) return null;
  if (sel.jobs?.includes(job.name) || sel.stages?.includes(job.stage)) return null;
  return { code: 'not_selected', message: 'not selected for this run' };
}

function skip(
  results: Map<string, JobResult>,
  name: string,
  s: Pick<Scheduler, 'emit' | 'now'>,
  why: SkipReason,
) {
  const r = results.get(name) as JobResult;
  r.status = 'skipped';
  r.skip = why;
  s.emit({ type: 'job', job: { ...r } });
}

function finish(
  results: Map<string, JobResult>,
  name: string,
  now: () => number,
  emit: (e: RunEvent) => void,
  end: JobEnd,
) {
  const r = results.get(name) as JobResult;
  r.status = end.status;
  r.failure = end.failure;
  r.exitCode = end.exitCode;
  if (end.image) r.image = end.image;
  if (end.release) r.release = end.release;
  if (end.allowFailure !== undefined) r.allowFailure = end.allowFailure;
  if (end.attempt !== undefined) r.attempt = end.attempt;
  if (end.attempts !== undefined) r.attempts = end.attempts;
  r.finishedAt = now();
  r.startedAt ??= r.finishedAt;
  emit({ type: 'job', job: { ...r } });
}

function stageResult(name: string, jobs: JobResult[]): StageResult {
  const mine = jobs.filter((j) => j.stage === name);
  const effective = mine.map(
    (j): Status => (j.status === 'failed' && j.allowFailure ? 'succeeded' : j.status),
  );
  const starts = mine.map((j) => j.startedAt).filter((t): t is number => t !== null);
  const ends = mine.map((j) => j.finishedAt).filter((t): t is number => t !== null);
  return {
    name,
    status: aggregateStatus(effective),
    startedAt: starts.length ? Math.min(...starts) : null,
    finishedAt:
      ends.length && effective.every((st) => isTerminal(st) || st === 'manual') ? Math.max(...ends) : null,
  };
}

function runStatus(plan: Plan, jobs: JobResult[], canceled: boolean): Status {
  if (plan.skip) return 'skipped';
  if (canceled) return 'canceled';
  if (jobs.some((j) => j.status === 'failed' && !j.allowFailure)) return 'failed';
  if (jobs.some((j) => j.status === 'canceled')) return 'canceled';
  if (jobs.every((j) => j.status === 'skipped')) return 'skipped';
  return 'succeeded';
}
