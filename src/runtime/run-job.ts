import type { Backend, JobOutcome } from '../backends/backend.js';
import type { LogLine } from '../domain/log-line.js';
import type { FailureReason, Status } from '../domain/status.js';
import type { Plan, PlanJob } from '../pipeline/plan/plan.js';
import { buildJobScript } from './job-script.js';
import { LineWriter } from './line-writer.js';
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
  now: () => number;
}

export interface JobEnd {
  status: Extract<Status, 'succeeded' | 'failed' | 'canceled'>;
  failure: { reason: FailureReason; message: string } | null;
  exitCode: number | null;
}

/**
 * Runs one job on the backend: builds its environment and script, streams its output through
 * the masking line writer, enforces its timeout and reports how it ended.
 * `cancel` aborts it as canceled; the job's own timeout aborts it as failed ("timeout").
 */
export async function runJob(job: PlanJob, ctx: JobContext, cancel: AbortSignal): Promise<JobEnd> {
  const writer = new LineWriter({
    masker: ctx.masker,
    onLine: ctx.onLine,
    now: ctx.now,
    ...(ctx.maxLogBytes ? { maxBytes: ctx.maxLogBytes } : {}),
  });
  const missing = job.secrets.filter((name) => ctx.secrets[name] === undefined);
  if (missing.length > 0) {
    const message = `secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set (job "${job.name}" names ${missing.length > 1 ? 'them' : 'it'} in secrets:)`;
    writer.system(`[slipway] ${message}`);
    return { status: 'failed', failure: { reason: 'config_error', message }, exitCode: null };
  }
  const env: Record<string, string> = { ...standardEnv(ctx.plan, job, ctx.run), ...job.env };
  for (const name of job.secrets) env[name] = ctx.secrets[name] as string;

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), job.timeoutMs);
  const signal = AbortSignal.any([cancel, timeout.signal]);
  let outcome: JobOutcome;
  try {
    outcome = await ctx.backend.runJob(
      {
        runId: ctx.run.runId,
        name: job.name,
        image: job.image,
        script: buildJobScript(job.script),
        commands: job.script,
        env,
        services: job.services,
        workspacePath: ctx.run.workspacePath,
        graceMs: ctx.graceMs,
      },
      { write: (stream, chunk) => writer.write(stream, chunk), system: (text) => writer.system(text) },
      signal,
    );
  } catch (error) {
    // The backend contract says operational problems are outcomes; a throw is a bug, but the
    // run must still end visibly rather than hang.
    outcome = { kind: 'backend_error', message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
  writer.flush();
  const end = toJobEnd(outcome, timeout.signal.aborted && !cancel.aborted, job);
  if (end.failure) writer.system(`[slipway] ${end.failure.message}`);
  return end;
}

function toJobEnd(outcome: JobOutcome, timedOut: boolean, job: PlanJob): JobEnd {
  switch (outcome.kind) {
    case 'exited':
      return outcome.exitCode === 0
        ? { status: 'succeeded', failure: null, exitCode: 0 }
        : {
            status: 'failed',
            failure: {
              reason: 'exit_code',
              message: `job "${job.name}" exited with code ${outcome.exitCode}`,
            },
            exitCode: outcome.exitCode,
          };
    case 'aborted':
      return timedOut
        ? {
            status: 'failed',
            failure: {
              reason: 'timeout',
              message: `job "${job.name}" timed out after ${job.timeoutMs / 1000} s`,
            },
            exitCode: null,
          }
        : { status: 'canceled', failure: null, exitCode: null };
    case 'image_not_found':
      return {
        status: 'failed',
        failure: { reason: 'image_not_found', message: outcome.message },
        exitCode: null,
      };
    case 'backend_error':
      return {
        status: 'failed',
        failure: { reason: 'backend_error', message: outcome.message },
        exitCode: null,
      };
  }
}
