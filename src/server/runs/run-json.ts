import type { FailureReason, SkipCode } from '../../api/reasons.js';
import type { JobJson, RunDetail, RunSummary } from '../../api/runs.js';
import { storedRef } from '../../domain/ref.js';
import type { Status } from '../../domain/status.js';
import type { JobRow, RunRow } from '../store/tables.js';
import { parseCancelReason } from './cancel-reason.js';
import { retriesJson } from './job-retries.js';
import { parseParams } from './reason-params.js';
import { stageSummaries } from './run-status.js';

/**
 * Rows turned into the API shapes of runs and jobs (defined in src/api/runs.ts, re-exported
 * here for the server's routes): a row becomes JSON in exactly one place.
 */
export {
  diagnosticJsonSchema,
  type JobJson,
  jobJsonSchema,
  type RunDetail,
  type RunSummary,
  runDetailSchema,
  runPageSchema,
  runSummarySchema,
  stageJsonSchema,
} from '../../api/runs.js';

import { releaseOfRun } from '../deploys/release-run-title.js';

export function toJobJson(job: JobRow): JobJson {
  return {
    name: job.name,
    stage: job.stage,
    status: job.status as Status,
    allowFailure: job.allow_failure === 1,
    manual: job.manual === 1,
    interruptible: job.interruptible === 1,
    failure: failureOf(job.failure_reason, job.failure_message, job.failure_params),
    skip: skipOf(job.skip_code, job.skip_message, job.skip_params),
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
    failure: failureOf(run.failure_reason, run.failure_message, run.failure_params),
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
    ...releaseOfRun(run),
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

/** Codes are ours (domain/reason-codes.ts); params are left out when the row has none. */
function failureOf(reason: string | null, message: string | null, params: string | null | undefined) {
  if (reason === null) return null;
  const parsed = parseParams(params);
  return { reason: reason as FailureReason, message: message ?? '', ...(parsed ? { params: parsed } : {}) };
}

function skipOf(code: string | null, message: string | null, params: string | null | undefined) {
  if (code === null) return null;
  const parsed = parseParams(params);
  return { code: code as SkipCode, message: message ?? '', ...(parsed ? { params: parsed } : {}) };
}

/** Stored JSON is ours, but a hand-edited database must not turn a page into a 500. */
function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
