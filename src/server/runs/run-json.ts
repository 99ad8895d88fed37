import { z } from 'zod';
import { storedRef } from '../../domain/ref.js';
import { STATUSES, type Status } from '../../domain/status.js';
import type { JobRow, RunRow } from '../store/tables.js';
import { cancelReasonSchema, parseCancelReason } from './cancel-reason.js';
import { jobRetryJsonSchema, retriesJson } from './job-retries.js';
import { stageSummaries } from './run-status.js';
import { runTestCountsSchema } from './run-test-counts.js';

/**
 * The API shapes of runs and jobs. Routes, SSE events, the UI and the CLI all read these, so a
 * row is turned into JSON in exactly one place. Times are Unix milliseconds.
 */
const status = z.enum(STATUSES);
const failure = z.object({ reason: z.string(), message: z.string() }).nullable();

export const stageJsonSchema = z.object({
  name: z.string(),
  status,
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});

export const jobJsonSchema = z.object({
  name: z.string(),
  stage: z.string(),
  status,
  allowFailure: z.boolean(),
  manual: z.boolean(),
  /** `interruptible: true` in `.slipway.yml`: a newer push may cancel the run once it started. */
  interruptible: z.boolean(),
  failure,
  skip: z.object({ code: z.string(), message: z.string() }).nullable(),
  exitCode: z.number().int().nullable(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** 1, or 2+ once the job was started over after its agent was lost (SLIPWAY_REQUEUE_LOST). */
  attempt: z.number().int().min(1),
  /**
   * Earlier attempts of the job, oldest first: those `retry:` ran again (exit code, timeout…)
   * and those whose agent was lost. Empty when the job ran once.
   */
  retries: z.array(jobRetryJsonSchema),
});
export type JobJson = z.infer<typeof jobJsonSchema>;

export const runSummarySchema = z.object({
  id: z.string(),
  number: z.number().int(),
  record: z.string(),
  /** The project's name (projects are addressed by name in the API). */
  project: z.string(),
  trigger: z.string(),
  actor: z.string(),
  /** `pull_request`: `name` is the head branch, `number` the request's number. */
  ref: z.object({
    kind: z.enum(['branch', 'tag', 'pull_request']),
    name: z.string(),
    number: z.number().int().optional(),
  }),
  sha: z.string(),
  shortSha: z.string(),
  message: z.string(),
  author: z.string(),
  commitTime: z.number().nullable(),
  status,
  failure,
  /**
   * Why the run was (or is being) canceled: `{code: 'superseded', by: 12}` when run #12 of the
   * same branch or pull request replaced it, `{code: 'user', actor}` when someone canceled it;
   * null when it was not canceled (or was canceled before Slipway recorded reasons).
   */
  cancelReason: cancelReasonSchema.nullable(),
  /** One entry per stage, in pipeline order: the icons of the records table. */
  stages: z.array(stageJsonSchema),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** Null until the run has both started and finished. */
  durationMs: z.number().nullable(),
  parentRunId: z.string().nullable(),
  /** Executions so far: 2+ after a lost agent's run was re-queued and run again. */
  attempt: z.number().int().min(1),
  /**
   * Present while a queued run cannot be leased and why (queue/waiting-reason.ts):
   * `no_matching_agent` with the `key=value` labels no connected agent offers.
   */
  waiting: z
    .object({ code: z.enum(['no_matching_agent']), labels: z.array(z.string()), message: z.string() })
    .optional(),
  /**
   * The records table's test counts and coverage (GET …/runs only; null: no test report).
   * Absent from the run events, which keep the value the client already has.
   */
  tests: runTestCountsSchema.nullable().optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const diagnosticJsonSchema = z.object({
  code: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number(),
  col: z.number(),
  path: z.string(),
});

export const runDetailSchema = runSummarySchema.extend({
  jobs: z.array(jobJsonSchema),
  /** Config problems (errors made the run fail with config_error; warnings are informative). */
  diagnostics: z.array(diagnosticJsonSchema),
  /** Names of the run's extra variables; values are never returned. */
  variables: z.array(z.string()),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const runPageSchema = z.object({
  runs: z.array(runSummarySchema),
  /** Pass as `before` to get the next (older) page; null on the last page. */
  next: z.number().int().nullable(),
});

export function toJobJson(job: JobRow): JobJson {
  return {
    name: job.name,
    stage: job.stage,
    status: job.status as Status,
    allowFailure: job.allow_failure === 1,
    manual: job.manual === 1,
    interruptible: job.interruptible === 1,
    failure: failureOf(job.failure_reason, job.failure_message),
    skip: job.skip_code === null ? null : { code: job.skip_code, message: job.skip_message ?? '' },
    exitCode: job.exit_code,
    startedAt: job.started_at,
    finishedAt: job.finished_at,
    attempt: job.attempt ?? 1,
    retries: retriesJson(job.retries),
  };
}

/** `jobs` are the run's jobs in any order; stages come out in pipeline order. */
export function toRunSummary(run: RunRow, projectName: string, jobs: readonly JobRow[]): RunSummary {
  return {
    id: run.id,
    number: run.number,
    record: run.record,
    project: projectName,
    trigger: run.trigger,
    actor: run.actor,
    ref: storedRef(run.ref_kind, run.ref_name, run.record),
    sha: run.sha,
    shortSha: run.sha.slice(0, 7),
    message: run.message,
    author: run.author,
    commitTime: run.commit_time,
    status: run.status as Status,
    failure: failureOf(run.failure_reason, run.failure_message),
    cancelReason: parseCancelReason(run.cancel_reason),
    stages: stageSummaries(jobs),
    createdAt: run.created_at,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    durationMs:
      run.started_at !== null && run.finished_at !== null
        ? Math.max(0, run.finished_at - run.started_at)
        : null,
    parentRunId: run.parent_run_id,
    attempt: run.attempt ?? 1,
  };
}

export function toRunDetail(run: RunRow, projectName: string, jobs: readonly JobRow[]): RunDetail {
  const ordered = [...jobs].sort((a, b) => a.stage_index - b.stage_index || a.job_index - b.job_index);
  return {
    ...toRunSummary(run, projectName, ordered),
    jobs: ordered.map(toJobJson),
    diagnostics: parseJson(run.diagnostics, []),
    variables: Object.keys(parseJson<Record<string, string>>(run.variables, {})).sort(),
  };
}

function failureOf(reason: string | null, message: string | null) {
  return reason === null ? null : { reason, message: message ?? '' };
}

/** Stored JSON is ours, but a hand-edited database must not turn a page into a 500. */
function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
