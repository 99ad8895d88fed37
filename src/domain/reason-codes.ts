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
