import type { Plan, PlanJob } from '../pipeline/plan/plan.js';

export interface RunIdentity {
  runId: string;
  runNumber: number;
  workspacePath: string;
}

/**
 * The variables every job sees. Names follow Slipway's own prefix, with the GitLab CI names
 * teams already use in their scripts as aliases. Branch names and commit messages are
 * attacker-controlled in pull requests: they are only ever passed as environment values.
 */
export function standardEnv(plan: Plan, job: PlanJob, run: RunIdentity): Record<string, string> {
  const { event } = plan;
  const branch = event.ref.kind === 'branch' ? event.ref.name : '';
  const tag = event.ref.kind === 'tag' ? event.ref.name : '';
  const shortSha = event.sha.slice(0, 7);
  const env: Record<string, string> = {
    CI: 'true',
    SLIPWAY: 'true',
    SLIPWAY_RUN_ID: run.runId,
    SLIPWAY_RUN_NUMBER: String(run.runNumber),
    SLIPWAY_RECORD: plan.record,
    SLIPWAY_EVENT: event.kind,
    SLIPWAY_REF: event.ref.name,
    SLIPWAY_BRANCH: branch,
    SLIPWAY_TAG: tag,
    SLIPWAY_GITFLOW: plan.gitflow ?? '',
    SLIPWAY_COMMIT_SHA: event.sha,
    SLIPWAY_COMMIT_SHORT_SHA: shortSha,
    SLIPWAY_COMMIT_MESSAGE: event.message,
    SLIPWAY_COMMIT_AUTHOR: event.author,
    SLIPWAY_JOB: job.name,
    SLIPWAY_STAGE: job.stage,
    SLIPWAY_WORKSPACE: run.workspacePath,
    CI_COMMIT_SHA: event.sha,
    CI_COMMIT_SHORT_SHA: shortSha,
    CI_COMMIT_REF_NAME: event.ref.name,
    CI_COMMIT_MESSAGE: event.message,
    CI_JOB_NAME: job.name,
    CI_JOB_STAGE: job.stage,
    CI_PIPELINE_IID: String(run.runNumber),
    CI_PROJECT_DIR: run.workspacePath,
  };
  if (branch) env.CI_COMMIT_BRANCH = branch;
  if (tag) env.CI_COMMIT_TAG = tag;
  return env;
}
