/**
 * The stable codes the server gives for what happened to a run or a job, with the parameters
 * the UI needs to say it in the reader's language (the English `message` stays for the API, the
 * CLI and rows written before parameters existed). One list per kind, here, so a code added
 * without a translation fails test/web/reason-messages.test.ts.
 */
import { FAILURE_REASONS, type FailureReason } from './status.js';

export type { FailureReason } from './status.js';
export { FAILURE_REASONS };

/** Why a job (or a whole run) was not run. */
export const SKIP_CODES = [
  'skip_ci',
  'filtered',
  'not_selected',
  'upstream_failed',
  'needs_not_run',
  'run_canceled',
  'when_never',
  'when_unmet',
  'changes',
  'workflow',
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

/**
 * Why a release ended as it did (`reasonCode` of a release, with `reasonParams`). The deploy
 * targets and the agent give most of them; `job_failed` / `job_skipped` come from the server
 * when the deploy job ended without a release result. Words an engine wrote (a health check's
 * output, a Docker error) travel in a `detail` parameter, masked like the English reason.
 */
export const RELEASE_REASONS = [
  // Canary analysis (src/deploy/canary-rollout.ts, swarm-target.ts).
  'canary_failed',
  'canary_not_enough_requests',
  'canary_needs_swarm_proxy',
  // The deploy job ended without deploying (src/server/deploys/release-job-reason.ts).
  'job_failed',
  'job_skipped',
  // The new version never became ready (src/deploy/health-wait.ts).
  'container_exited',
  'container_restarting',
  'container_unhealthy',
  'container_vanished',
  'not_healthy_in_time',
  // The image (src/deploy/local-image.ts).
  'image_pull_failed',
  'image_pull_timeout',
  'image_inspect_failed',
  // Host ports of the environment's proxy (src/deploy/port-proxy.ts).
  'port_in_use',
  'port_unavailable',
  // The engine (src/deploy/target-support.ts, swarm-services.ts).
  'engine_error',
  'deploy_step_failed',
  'nothing_deployed',
  'swarm_inactive',
  'swarm_worker',
  // Swarm rolling updates (src/deploy/swarm-target.ts).
  'swarm_rolled_back',
  'swarm_update_paused',
  'swarm_update_timeout',
  'swarm_tasks_not_running',
  // The agent could not start the deploy (src/agent/deploy-job.ts).
  'no_deploy_target',
  'ambiguous_image',
  'no_built_image',
  'no_build_job',
  'target_error',
] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];
/** A release reason's parameters: scalars only (they are stored and sent as a flat object). */
export type ReleaseReasonParams = Record<string, string | number>;

/**
 * `error.reason` of the 4xx answers the web UI shows, beside the HTTP-level `error.code`
 * (`forbidden`, `conflict`…). The UI says `error.<reason>` with `error.params`; an answer
 * without a reason (or with one the UI does not know) shows the server's message.
 */
export const ERROR_REASONS = [
  'four_eyes',
  'workflow',
  'upstream_failed',
  'run_canceled',
  'run_not_finished',
  'nothing_to_resume',
  'job_not_manual',
  'not_awaiting_approval',
  'no_release_to_promote',
  'not_digest_pinned',
  'not_rollback_target',
  'no_release_to_scale',
  'unknown_user',
  'public_projects_disabled',
  'canary_needs_swarm_proxy',
  // The collector's answers to a site's visitors (feedback widget), not the Slipway UI.
  'feedback_rate',
  'address_rate',
  'site_rate',
  'origin_not_declared',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/**
 * Values a reason's text is filled with. Lists (changed files, globs) stay lists so each
 * language may join them its own way.
 */
export type ReasonParamValue = string | number | string[];
export type ReasonParams = Record<string, ReasonParamValue>;

/**
 * A failure as runtime, protocol and server pass it on. Free-text details (an engine's error, a
 * config problem) stay in `message`, which is masked for secrets; `params` hold only values
 * Slipway itself chose (an exit code, a timeout, an image name from the pipeline file).
 */
export interface Failure {
  reason: FailureReason;
  message: string;
  params?: ReasonParams;
}
