import { parseParams } from '../runs/reason-params.js';

/**
 * A release that ended with its deploy job but without a release result from the agent (the job
 * failed before deploying, its agent was lost, it was skipped or canceled) gets the job's own
 * reason as its code: `job_failed` with the failure's code (`failure`) and parameters, or
 * `job_skipped` with the skip's code (`skip`) and parameters. The web UI says these in the
 * reader's language with the run page's words (web/src/pages/release-reason.ts).
 * Release reason parameters are scalars (release-json.ts): lists (a `changes:` skip's files)
 * are left out, the English `reason` still has them.
 */
export interface JobReasonColumns {
  failure_reason: string | null;
  failure_params?: string | null;
  skip_code: string | null;
  skip_params?: string | null;
}

export function releaseReasonOfJob(
  jobStatus: string,
  job: JobReasonColumns,
): { code: string; params: Record<string, string | number> } | null {
  if (jobStatus === 'failed' && job.failure_reason) {
    return { code: 'job_failed', params: { ...scalars(job.failure_params), failure: job.failure_reason } };
  }
  if ((jobStatus === 'skipped' || jobStatus === 'canceled') && job.skip_code) {
    return { code: 'job_skipped', params: { ...scalars(job.skip_params), skip: job.skip_code } };
  }
  return null;
}

function scalars(text: string | null | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(parseParams(text) ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') out[name] = value;
  }
  return out;
}
