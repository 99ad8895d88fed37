import type { PlanJob } from '../pipeline/plan/plan.js';
import type { LineWriter } from './line-writer.js';
import type { JobContext, JobEnd } from './run-job.js';
import type { JobAttempt } from './run-result.js';

/**
 * `retry:` — runs attempts of one job until one succeeds, one fails in a way the job does not
 * retry, the run is canceled, or the retries are used up. All attempts write to the same log
 * (line numbers go on), separated by a line saying why the next attempt starts; each earlier
 * attempt is kept in the job's result (`attempts`) so the record and the API show them all.
 * A retry starts in the same workspace, with what the failed attempt left in it (GitLab does
 * the same within one pipeline).
 */
export async function runAttempts(
  job: PlanJob,
  ctx: JobContext,
  writer: LineWriter,
  cancel: AbortSignal,
  attemptOnce: () => Promise<JobEnd>,
): Promise<JobEnd> {
  const earlier: JobAttempt[] = [];
  for (let attempt = 1; ; attempt++) {
    const startedAt = ctx.now();
    const end = await attemptOnce();
    const result = earlier.length > 0 ? { ...end, attempt, attempts: [...earlier] } : end;
    const why = retryReason(job, end, attempt, cancel);
    if (why === null) return result;
    earlier.push({
      attempt,
      status: end.status,
      failure: end.failure,
      exitCode: end.exitCode,
      startedAt,
      finishedAt: ctx.now(),
    });
    const max = (job.retry?.max ?? 0) + 1;
    const text = `[slipway] attempt ${attempt} of ${max} failed (${why}); retrying: attempt ${attempt + 1}`;
    const counts = { attempt, max, next: attempt + 1 };
    if (end.failure?.reason === 'exit_code' && end.exitCode !== null)
      writer.systemCode({ code: 'retry.exit_code', params: { ...counts, code: end.exitCode }, text });
    else
      writer.systemCode({
        code: 'retry.failure',
        params: { ...counts, reason: end.failure?.reason ?? '' },
        text,
      });
    ctx.onRetry?.(job, attempt + 1, [...earlier]);
  }
}

/** Why a failed attempt is retried, or null when it is the job's end. */
export function retryReason(
  job: Pick<PlanJob, 'retry'>,
  end: Pick<JobEnd, 'status' | 'failure' | 'exitCode'>,
  attempt: number,
  cancel: AbortSignal,
): string | null {
  const retry = job.retry;
  if (!retry || attempt > retry.max || cancel.aborted) return null;
  if (end.status !== 'failed' || !end.failure) return null;
  const { reason } = end.failure;
  if (!retry.reasons.includes(reason)) return null;
  if (reason === 'exit_code' && retry.exitCodes.length > 0) {
    if (end.exitCode === null || !retry.exitCodes.includes(end.exitCode)) return null;
  }
  return reason === 'exit_code' ? `exit code ${end.exitCode}` : reason.replaceAll('_', ' ');
}
