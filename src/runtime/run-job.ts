import type {
  Backend,
  BuildOutcome,
  BuiltImage,
  JobOutcome,
  JobOutput,
  JobSpec,
} from '../backends/backend.js';
import type { CacheRemote } from '../backends/cache-spec.js';
import { BUILTIN_RESOURCE_LIMITS, type ResourceLimits, resolveResources } from '../domain/job-resources.js';
import type { LogLine } from '../domain/log-line.js';
import type { Failure, ReasonParams } from '../domain/reason-codes.js';
import type { FailureReason, Status } from '../domain/status.js';
import type { SystemLineSink } from '../domain/system-line-codes.js';
import type { Plan, PlanJob } from '../pipeline/plan/plan.js';
import { planClone } from '../pipeline/plan/plan-clone.js';
import { runAfterScript } from './after-script.js';
import { buildSpecFor, type PushPolicy, type RegistryLogin } from './build-spec.js';
import { resolveJobCaches } from './cache-specs.js';
import { expandImage } from './expand-image.js';
import { expandJob } from './expand-job.js';
import { gitSafeDirectoryEnv } from './git-safe-directory.js';
import { toJobEnd } from './job-end.js';
import { runAttempts } from './job-retry.js';
import { buildJobScript } from './job-script.js';
import {
  refusedSecrets,
  writeFailureLine,
  writeMissingSecrets,
  writeNotPushed,
  writeRefusedSecret,
  writeResourceWarnings,
} from './job-system-lines.js';
import { LineWriter } from './line-writer.js';
import type { JobAttempt, JobRelease } from './run-result.js';
import type { SecretMasker } from './secret-masker.js';
import { type RunIdentity, standardEnv } from './standard-env.js';

export interface JobContext {
  plan: Plan;
  run: RunIdentity;
  backend: Backend;
  /** Every secret of the run; the job receives only those it names. */
  secrets: Record<string, string>;
  masker: SecretMasker;
  graceMs: number;
  maxLogBytes?: number;
  onLine: (line: LogLine) => void;
  /** Whether the receiver of `onLine` takes more now (see JobOutput.ready); absent: always. */
  logReady?: () => Promise<void> | null;
  now: () => number;
  /** Credentials for pushes of build jobs, matched by registry host. */
  registries?: RegistryLogin[];
  /** What build jobs may push (from the lease); absent: everything. */
  pushPolicy?: PushPolicy;
  /** Repository of a build that names none (the project's name). */
  defaultRepository?: string;
  /** The project's name, for image labels. */
  project?: string;
  /** The server's cache store (see CacheRemote); absent: caches stay on this machine. */
  cacheRemote?: CacheRemote;
  pushTimeoutMs?: number;
  /** Runs `deploy:` jobs; without it they fail (the agent wires deploys in). */
  deployJob?: DeployRunner;
  /** Images the run's build jobs produced so far, by job name (what deploy jobs roll out). */
  builtImages?: ReadonlyMap<string, BuiltImage>;
  /** Defaults and maxima of script jobs' `resources:` (default: the built-in ones). */
  resourceLimits?: ResourceLimits;
  /** A retried job starts attempt `attempt` after `earlier` failed (runtime/job-retry.ts). */
  onRetry?: (job: PlanJob, attempt: number, earlier: JobAttempt[]) => void;
  /** After the job ran, before it ends: uploads artifacts and reports (the agent's). */
  afterJob?: AfterJob;
}

/**
 * Work after a job's script, still part of the job (its log, its time): the agent uploads the
 * job's artifacts and test reports here. It may turn the job's end into a failure (an upload
 * the server refused); it never throws for operational problems.
 */
export type AfterJob = (
  job: PlanJob,
  end: JobEnd,
  io: SystemLineSink & { env: Record<string, string>; signal: AbortSignal },
) => Promise<JobEnd>;

/** Runs one deploy job; resolves how it ended (a failure is an end, not a throw). */
export type DeployRunner = (
  job: PlanJob,
  ctx: JobContext,
  output: JobOutput,
  signal: AbortSignal,
) => Promise<JobEnd>;

export interface JobEnd {
  status: Extract<Status, 'succeeded' | 'failed' | 'canceled'>;
  failure: Failure | null;
  exitCode: number | null;
  /** What a build job produced. */
  image?: BuiltImage;
  /** What a deploy job released. */
  release?: JobRelease;
  /** Which attempt this end is (absent: the first); the earlier ones are in `attempts`. */
  attempt?: number;
  /** Earlier attempts of a retried job, oldest first. */
  attempts?: JobAttempt[];
  /** Decided at the end for `allow_failure: {exit_codes}` (runtime/job-flow.ts). */
  allowFailure?: boolean;
}

/**
 * Runs one job on the backend: builds its environment and script, streams its output through
 * the masking line writer, enforces its timeout and reports how it ended.
 * `cancel` aborts it as canceled; the job's own timeout aborts it as failed ("timeout").
 */
export async function runJob(planned: PlanJob, ctx: JobContext, cancel: AbortSignal): Promise<JobEnd> {
  const job = expandJob(planned, standardEnv(ctx.plan, planned, ctx.run));
  const writer = new LineWriter({
    masker: ctx.masker,
    onLine: ctx.onLine,
    now: ctx.now,
    ...(ctx.maxLogBytes ? { maxBytes: ctx.maxLogBytes } : {}),
  });
  const missing = job.secrets.filter((name) => ctx.secrets[name] === undefined);
  if (missing.length > 0) {
    const message = writeMissingSecrets(writer, job.name, missing);
    return { status: 'failed', failure: { reason: 'config_error', message }, exitCode: null };
  }
  // Every door refuses such values now, but one stored earlier may still arrive; the engine
  // would refuse it anyway, quoting the value in its error.
  const refused = refusedSecrets(job, ctx.secrets);
  if (refused !== null) {
    writeRefusedSecret(writer, refused);
    return {
      status: 'failed',
      failure: { reason: 'config_error', message: refused.message },
      exitCode: null,
    };
  }
  // Why `changes:` let a manual or scheduled run's job run: nothing else in the run says it.
  if (job.changesNote) {
    const text = `[slipway] ${job.changesNote}`;
    if (job.changesNoteCode) writer.systemCode({ ...job.changesNoteCode, text });
    else writer.system(text);
  }
  let end = await runAttempts(job, ctx, writer, cancel, () => runAttempt(job, ctx, writer, cancel));
  // A release's reason is the deploy target's words (a health check's output, an engine error).
  if (end.release?.reason !== undefined) {
    end = { ...end, release: { ...end.release, reason: ctx.masker.maskText(end.release.reason) } };
  }
  // Its parameters may carry the same words (`detail`), so they are masked alike.
  if (end.release?.reasonParams) {
    const masked = Object.entries(end.release.reasonParams).map(([k, v]) => [
      k,
      typeof v === 'string' ? ctx.masker.maskText(v) : v,
    ]);
    end = { ...end, release: { ...end.release, reasonParams: Object.fromEntries(masked) } };
  }
  return end;
}

/** One attempt of a job: its script (or build, or deploy) under its timeout, then after_script. */
async function runAttempt(
  job: PlanJob,
  ctx: JobContext,
  writer: LineWriter,
  cancel: AbortSignal,
): Promise<JobEnd> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), job.timeoutMs);
  const signal = AbortSignal.any([cancel, timeout.signal]);
  const logReady = ctx.logReady;
  const output: JobOutput = {
    write: (stream, chunk) => writer.write(stream, chunk),
    system: (text) => writer.system(text),
    systemCode: (line) => writer.systemCode(line),
    // The line writer holds at most one partial line per stream: the buffering that matters is
    // downstream (the agent's reporter), so its answer is passed through to the backend.
    ...(logReady ? { ready: () => logReady() } : {}),
  };
  let end: JobEnd;
  let spec: JobSpec | null = null;
  try {
    if (job.build)
      end = await runBuildJob({ ...job, build: job.build }, ctx, output, signal, timeout.signal, cancel);
    else if (job.deploy) end = await runDeployJob(job, ctx, output, signal);
    else {
      const made = scriptJobSpec(job, ctx, output);
      if (typeof made === 'string') {
        end = toJobEnd({ kind: 'backend_error', message: made }, false, job);
      } else {
        spec = made;
        const outcome = await runScriptJob(ctx, spec, output, signal);
        end = toJobEnd(outcome, timeout.signal.aborted && !cancel.aborted, job);
      }
    }
  } finally {
    clearTimeout(timer);
  }
  writer.flush();
  if (spec && job.afterScript?.length) await runAfterScript(job, ctx, spec, end, output, cancel);
  if (ctx.afterJob && (job.artifacts || job.reports))
    end = await ctx.afterJob(job, end, {
      system: (text) => writer.system(text),
      systemCode: (line) => writer.systemCode(line),
      env: { ...job.env, ...standardEnv(ctx.plan, job, ctx.run) },
      signal: cancel,
    });
  writer.flush();
  if (end.failure) {
    // Failure messages quote engines, registries and tools, which may quote a secret (an engine
    // refusing an environment value prints it): masked like the log before they leave the job.
    const message = ctx.masker.maskText(end.failure.message);
    const params = end.failure.params && maskParams(end.failure.params, (text) => ctx.masker.maskText(text));
    const failure: Failure = { ...end.failure, message, ...(params ? { params } : {}) };
    end = { ...end, failure };
    writeFailureLine(writer, failure);
  }
  return end;
}

/** Text parameters (an image reference expanded from variables) are masked like the message. */
function maskParams(params: ReasonParams, mask: (text: string) => string): ReasonParams {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'string' ? mask(value) : Array.isArray(value) ? value.map(mask) : value,
    ]),
  );
}

/**
 * The standard variables plus CI_REGISTRY_IMAGE: the repository a build without `image:` makes
 * (the project's name), so a later job can say `image: ${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}`.
 */
function imageVariables(ctx: JobContext, job: PlanJob): Record<string, string> {
  return {
    ...standardEnv(ctx.plan, job, ctx.run),
    CI_REGISTRY_IMAGE: ctx.defaultRepository ?? 'slipway-build',
  };
}

/**
 * The container a script job runs: before_script and script in one shell, its env, limits and
 * caches; or why it cannot run (a cache entry that is wrong once its variables are expanded).
 */
function scriptJobSpec(job: PlanJob, ctx: JobContext, output: JobOutput): JobSpec | string {
  const env: Record<string, string> = { ...job.env };
  for (const name of job.secrets) env[name] = ctx.secrets[name] as string;
  const { resources, warnings } = resolveResources(
    job.resources,
    ctx.resourceLimits ?? BUILTIN_RESOURCE_LIMITS,
  );
  writeResourceWarnings(output, warnings);
  if (planClone(ctx.plan) !== false) Object.assign(env, gitSafeDirectoryEnv(env, ctx.run.workspacePath));
  // Last, so they always hold: the config check refuses these names, and a plan stored before
  // it existed (or a manual variable) must not override them either (see domain/reserved-env.ts).
  Object.assign(env, imageVariables(ctx, job));
  // before_script shares the shell of script (GitLab's semantics): its exports and `cd` carry
  // over, and `set -e` makes its failure the job's failure.
  const lines = [...(job.beforeScript ?? []), ...job.script];
  const caches = resolveJobCaches(job, env, {
    namespace: ctx.project ?? 'default',
    trusted: ctx.pushPolicy?.trusted !== false,
    workspacePath: ctx.run.workspacePath,
  });
  // Reported (once) by runJob like every failure.
  if (!caches.ok) return caches.message;
  return {
    runId: ctx.run.runId,
    name: job.name,
    image: expandImage(job.image, env),
    script: buildJobScript(lines),
    commands: lines,
    env,
    services: job.services,
    workspacePath: ctx.run.workspacePath,
    graceMs: ctx.graceMs,
    resources,
    ...(caches.caches.length > 0
      ? { caches: caches.caches.map((c) => (ctx.cacheRemote ? { ...c, remote: ctx.cacheRemote } : c)) }
      : {}),
  };
}

async function runScriptJob(
  ctx: JobContext,
  spec: JobSpec,
  output: JobOutput,
  signal: AbortSignal,
): Promise<JobOutcome> {
  try {
    return await ctx.backend.runJob(spec, output, signal);
  } catch (error) {
    // The backend contract says operational problems are outcomes; a throw is a bug, but the
    // run must still end visibly rather than hang.
    return { kind: 'backend_error', message: error instanceof Error ? error.message : String(error) };
  }
}

async function runBuildJob(
  job: PlanJob & { build: NonNullable<PlanJob['build']> },
  ctx: JobContext,
  output: JobOutput,
  signal: AbortSignal,
  timeoutSignal: AbortSignal,
  cancel: AbortSignal,
): Promise<JobEnd> {
  const fail = (reason: FailureReason, message: string, exitCode: number | null = null): JobEnd => ({
    status: 'failed',
    failure: { reason, message },
    exitCode,
  });
  if (!ctx.backend.buildImage) {
    return fail(
      'backend_error',
      `job "${job.name}" builds an image, but this backend (${ctx.backend.name}) cannot build images`,
    );
  }
  // A build may name its image through variables, like the jobs that use it later.
  const vars = { ...job.env, ...imageVariables(ctx, job) };
  const named = {
    ...job,
    build: {
      ...job.build,
      repository: job.build.repository === null ? null : expandImage(job.build.repository, vars),
      tags: job.build.tags.map((tag) => expandImage(tag, vars)),
    },
  };
  const prepared = buildSpecFor({
    plan: ctx.plan,
    job: named,
    runId: ctx.run.runId,
    workspacePath: ctx.run.workspacePath,
    defaultRepository: ctx.defaultRepository ?? 'slipway-build',
    project: ctx.project ?? '',
    secrets: ctx.secrets,
    registries: ctx.registries ?? [],
    ...(ctx.pushTimeoutMs !== undefined ? { pushTimeoutMs: ctx.pushTimeoutMs } : {}),
    ...(ctx.pushPolicy ? { pushPolicy: ctx.pushPolicy } : {}),
  });
  if (!prepared.ok) return fail('config_error', prepared.message);
  if (prepared.notPushed) writeNotPushed(output, prepared.spec.repository, prepared.notPushed);
  let outcome: BuildOutcome;
  try {
    outcome = await ctx.backend.buildImage(prepared.spec, output, signal);
  } catch (error) {
    outcome = { kind: 'backend_error', message: error instanceof Error ? error.message : String(error) };
  }
  switch (outcome.kind) {
    case 'built':
      return { status: 'succeeded', failure: null, exitCode: 0, image: outcome.image };
    case 'aborted':
      return timeoutSignal.aborted && !cancel.aborted
        ? fail('timeout', `job "${job.name}" timed out after ${job.timeoutMs / 1000} s`)
        : { status: 'canceled', failure: null, exitCode: null };
    case 'build_failed': {
      const code = /exit code (\d+)/.exec(outcome.message)?.[1];
      return fail(
        'exit_code',
        `job "${job.name}": ${outcome.message}`,
        code === undefined ? null : Number(code),
      );
    }
    case 'dockerfile_missing':
    case 'unknown_target':
    case 'invalid_reference':
      return fail('config_error', `job "${job.name}": ${outcome.message}`);
    case 'push_failed':
    case 'backend_error':
      return fail('backend_error', `job "${job.name}": ${outcome.message}`);
  }
}

async function runDeployJob(
  job: PlanJob,
  ctx: JobContext,
  output: JobOutput,
  signal: AbortSignal,
): Promise<JobEnd> {
  if (!ctx.deployJob) {
    return {
      status: 'failed',
      failure: {
        reason: 'backend_error',
        message: `job "${job.name}" is a deploy job; deploy jobs need a server with deploy targets (not available here)`,
      },
      exitCode: null,
    };
  }
  try {
    return await ctx.deployJob(job, ctx, output, signal);
  } catch (error) {
    return {
      status: 'failed',
      failure: { reason: 'backend_error', message: error instanceof Error ? error.message : String(error) },
      exitCode: null,
    };
  }
}
