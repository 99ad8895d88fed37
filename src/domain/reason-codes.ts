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
