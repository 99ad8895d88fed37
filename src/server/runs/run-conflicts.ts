import { type AppError, conflict } from '../errors.js';
import type { RunRow } from '../store/tables.js';
import type { Blocker } from './manual-gate.js';

/**
 * The 409s of resuming a run and playing a job, each with its `reason` and parameters so the
 * web UI says them in the reader's language (the English message stays for the API and CLI).
 */
type RunRef = Pick<RunRow, 'number' | 'status'>;

export const runNotFinished = (run: RunRef): AppError =>
  conflict(`run #${run.number} is ${run.status}; resume it once it has finished`, 'run_not_finished', {
    run: run.number,
    status: run.status,
  });

export const nothingToResume = (run: RunRef): AppError =>
  conflict(`run #${run.number} has no failed, canceled or skipped job to resume`, 'nothing_to_resume', {
    run: run.number,
  });

export const jobNotManual = (job: string, status: string): AppError =>
  conflict(`job "${job}" is ${status}; only a job waiting in manual can be played`, 'job_not_manual', {
    job,
    status,
  });

export const runWasCanceled = (run: RunRef): AppError =>
  conflict(`run #${run.number} was canceled`, 'run_canceled', { run: run.number });

/** A manual job after a failure (manual-gate.ts): `upstream` is the job that failed. */
export const manualJobBlocked = (job: string, run: RunRef, why: Blocker): AppError =>
  conflict(`job "${job}" cannot run: ${why.message} earlier in run #${run.number}`, 'upstream_failed', {
    job,
    run: run.number,
    upstream: why.params.job,
    state: why.params.state,
  });
