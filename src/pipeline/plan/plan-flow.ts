import type { FailureReason } from '../../domain/status.js';

/**
 * The parts of a plan job that steer how it runs (before/after scripts, `when`, exit-code
 * allowances, retries). Every field is optional and absent at its default, so plans stored
 * before these keys existed read exactly as they did.
 */
export interface PlanJobFlow {
  /** `before_script`: run first, in the same shell as `script` (a failure fails the job). */
  beforeScript?: string[];
  /** `after_script`: run after the job's script in a fresh shell, whatever its outcome except cancel. */
  afterScript?: string[];
  /** Bound on `afterScript` (default DEFAULT_AFTER_SCRIPT_TIMEOUT_MS). */
  afterScriptTimeoutMs?: number;
  /**
   * `when:` other than on_success and manual (manual is `PlanJob.manual`): on_failure runs only
   * when a job it depends on failed; always runs once they ended, however. (`never` compiles
   * to a skipped job.)
   */
  when?: 'on_failure' | 'always';
  /** `allow_failure: {exit_codes}`: only a failure with one of these codes is allowed. */
  allowFailureExitCodes?: number[];
  /** `retry:` with at least one retry. */
  retry?: PlanRetry;
}

export interface PlanRetry {
  /** Attempts after the first (1-3). */
  max: number;
  /** Failure reasons that are retried. */
  reasons: FailureReason[];
  /** When non-empty, an `exit_code` failure is retried only with one of these codes. */
  exitCodes: number[];
}

export const DEFAULT_AFTER_SCRIPT_TIMEOUT_MS = 5 * 60_000;

/**
 * Skip codes of these keys: `when_never` (`when: never`), `when_unmet` (on_failure and nothing
 * failed), `changes` (no changed file matches the job's `changes:`), `workflow` (the run's
 * `workflow:` does not apply to the event: the whole plan is skipped).
 */
export type FlowSkipCode = 'when_never' | 'when_unmet' | 'changes' | 'workflow';
