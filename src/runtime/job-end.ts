import type { JobOutcome } from '../backends/backend.js';
import type { PlanJob } from '../pipeline/plan/plan.js';
import type { JobEnd } from './run-job.js';

/** A backend's outcome as the job's end: status, failure reason (timeout, exit code, engine) and exit code. */
export function toJobEnd(outcome: JobOutcome, timedOut: boolean, job: PlanJob): JobEnd {
  switch (outcome.kind) {
    case 'exited':
      return outcome.exitCode === 0
        ? { status: 'succeeded', failure: null, exitCode: 0 }
        : {
            status: 'failed',
            failure: {
              reason: 'exit_code',
              message: `job "${job.name}" exited with code ${outcome.exitCode}`,
              params: { code: outcome.exitCode },
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
              params: { seconds: job.timeoutMs / 1000 },
            },
            exitCode: null,
          }
        : { status: 'canceled', failure: null, exitCode: null };
    case 'image_not_found':
      return {
        status: 'failed',
        failure: { reason: 'image_not_found', message: outcome.message, params: { image: job.image } },
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
