import type { JobJson, RunDetail } from '../api/types.js';

/**
 * Whether the run page offers "Run" for a manual job: not after a failure of an earlier stage
 * (the server refuses it with 409 `upstream_failed`, and turns it skipped when the run ends;
 * this only spares the click while the run is still going). Earlier stages stand in for the
 * job's dependencies, which the run JSON does not carry.
 */
export function playable(run: RunDetail, job: JobJson): boolean {
  if (job.status !== 'manual') return false;
  const stages = [...new Set(run.jobs.map((j) => j.stage))];
  const mine = stages.indexOf(job.stage);
  return !run.jobs.some(
    (j) =>
      stages.indexOf(j.stage) < mine &&
      ((j.status === 'failed' && !j.allowFailure) ||
        j.status === 'canceled' ||
        (j.status === 'skipped' && j.skip?.code === 'upstream_failed')),
  );
}
