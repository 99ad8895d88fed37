import type { PlanJob, SkipReason } from '../pipeline/plan/plan.js';
import type { JobEnd } from './run-job.js';
import type { JobResult } from './run-result.js';

/**
 * When a pending job may start (`when:` and the state of the jobs it depends on), and what
 * `allow_failure: {exit_codes}` makes of its end.
 *
 *   on_success (default) — every job it depends on succeeded, failed while allowed to, or does not
 *                          exist for this run; otherwise it is skipped (`upstream_failed`).
 *   on_failure           — once they all ended, only when one of them failed (or was skipped
 *                          because of a failure): the cleanup/notify job. Else `when_unmet`.
 *   always               — once they all ended, whatever happened.
 * A job that was never meant to run here (filtered, not selected, `when: never`, an on_failure
 * job nothing called for, `changes:`) does not exist for the jobs after it.
 */
const ABSENT = new Set<SkipReason['code']>([
  'filtered',
  'not_selected',
  'when_never',
  'when_unmet',
  'changes',
]);

export function readiness(
  job: PlanJob,
  results: ReadonlyMap<string, JobResult>,
): 'ready' | 'wait' | SkipReason {
  let trouble: SkipReason | null = null;
  for (const dep of job.dependsOn) {
    const r = results.get(dep);
    if (!r) continue;
    if (r.status === 'pending' || r.status === 'queued' || r.status === 'running') return 'wait';
    // Only explicit `needs` of an on_success job wait on a manual job; stage order does not.
    if (r.status === 'manual' && job.dag && job.when === undefined) {
      return { code: 'needs_not_run', message: `needs manual job "${dep}"`, params: { job: dep } };
    }
    const why = troubleOf(dep, r);
    if (why === null) continue;
    // on_success decides at the first trouble (as before `when:` existed); the others wait for all.
    if (job.when === undefined) return why;
    trouble ??= why;
  }
  switch (job.when) {
    case 'always':
      return 'ready';
    case 'on_failure':
      return trouble
        ? 'ready'
        : { code: 'when_unmet', message: 'when: on_failure, and no job before it failed' };
    default:
      return 'ready';
  }
}

/** Why an ended job keeps an on_success job after it from running, or null when it does not. */
function troubleOf(dep: string, r: JobResult): SkipReason | null {
  switch (r.status) {
    case 'failed':
      return r.allowFailure ? null : upstream(dep, 'failed');
    case 'canceled':
      return upstream(dep, 'canceled');
    case 'skipped':
      // A job that does not exist for this run is no trouble; one skipped because its own
      // upstream failed propagates the skip.
      if (r.skip && ABSENT.has(r.skip.code)) return null;
      return upstream(dep, 'skipped');
    default:
      return null;
  }
}

/** `allow_failure: {exit_codes}`: the failure is allowed only when the script exited with one of them. */
export function withExitCodeAllowance(job: PlanJob, end: JobEnd): JobEnd {
  const codes = job.allowFailureExitCodes;
  if (!codes) return end;
  const allowed = end.status === 'failed' && end.exitCode !== null && codes.includes(end.exitCode);
  return { ...end, allowFailure: allowed };
}

/** `state` is the upstream job's status, which the UI says in the reader's language. */
function upstream(dep: string, state: 'failed' | 'canceled' | 'skipped'): SkipReason {
  const said = state === 'failed' ? 'failed' : `was ${state}`;
  return { code: 'upstream_failed', message: `"${dep}" ${said}`, params: { job: dep, state } };
}
