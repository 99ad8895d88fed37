import type { ReasonParams } from '../../api/reasons.js';
import { aggregateStatus, isTerminal, type Status } from '../../domain/status.js';
import type { JobRow } from '../store/tables.js';
import { parseParams } from './reason-params.js';

/**
 * Stage and run status from job rows — the same rules the runtime applies in run-pipeline.ts
 * (stageResult / runStatus), so a run looks the same in `slipway exec` and on the server.
 */

type JobFacts = Pick<
  JobRow,
  'name' | 'stage' | 'stage_index' | 'job_index' | 'status' | 'allow_failure' | 'started_at' | 'finished_at'
>;

export interface StageSummary {
  name: string;
  status: Status;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Jobs allowed to fail count as succeeded for their stage; manual jobs never hold it back. */
export function stageSummaries(jobs: readonly JobFacts[]): StageSummary[] {
  const byStage = new Map<number, JobFacts[]>();
  for (const job of jobs) {
    const list = byStage.get(job.stage_index) ?? [];
    list.push(job);
    byStage.set(job.stage_index, list);
  }
  return [...byStage.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, mine]) => {
      const effective = mine.map((j) => effectiveStatus(j));
      const starts = mine.map((j) => j.started_at).filter((t): t is number => t !== null);
      const ends = mine.map((j) => j.finished_at).filter((t): t is number => t !== null);
      const settled = effective.every((s) => isTerminal(s) || s === 'manual');
      return {
        name: (mine[0] as JobFacts).stage,
        status: aggregateStatus(effective),
        startedAt: starts.length ? Math.min(...starts) : null,
        finishedAt: ends.length && settled ? Math.max(...ends) : null,
      };
    });
}

function effectiveStatus(job: JobFacts): Status {
  const status = job.status as Status;
  return status === 'failed' && job.allow_failure === 1 ? 'succeeded' : status;
}

/**
 * The status a run ends with once its execution is over. A run whose every job was skipped
 * (filters) is skipped; a job waiting in `manual` does not make the run fail.
 */
export function finalRunStatus(jobs: readonly JobFacts[], canceled: boolean): Status {
  if (canceled) return 'canceled';
  if (jobs.some((j) => j.status === 'failed' && j.allow_failure !== 1)) return 'failed';
  if (jobs.some((j) => j.status === 'canceled')) return 'canceled';
  if (jobs.every((j) => j.status === 'skipped')) return 'skipped';
  return 'succeeded';
}

/** The first job that makes the run fail, for the run's failure reason. */
export function firstBlockingFailure<T extends JobFacts>(jobs: readonly T[]): T | null {
  const ordered = [...jobs].sort((a, b) => a.stage_index - b.stage_index || a.job_index - b.job_index);
  return ordered.find((j) => j.status === 'failed' && j.allow_failure !== 1) ?? null;
}

/** The run's own failure: the agent's error, or the first job that failed without being allowed to. */
export function runFailure(
  status: Status,
  jobs: readonly JobRow[],
  error: string | null,
): { reason: string; message: string; params?: ReasonParams } | null {
  if (status === 'canceled') return null;
  if (error) return { reason: 'backend_error', message: error };
  if (status !== 'failed') return null;
  const job = firstBlockingFailure(jobs);
  if (!job) return null;
  const why = job.failure_message ? `: ${job.failure_message}` : '';
  // The job's name and its own parameters: the UI says "job X failed: <the job's reason>".
  return {
    reason: job.failure_reason ?? 'exit_code',
    message: `job "${job.name}" failed${why}`,
    params: { ...parseParams(job.failure_params), job: job.name },
  };
}
