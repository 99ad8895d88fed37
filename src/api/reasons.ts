import { z } from 'zod';
import { FAILURE_REASONS, SKIP_CODES } from '../domain/reason-codes.js';

export type { FailureReason, ReasonParams, ReasonParamValue, SkipCode } from '../domain/reason-codes.js';
/**
 * Reasons as the API sends them: a stable code, its parameters, and the English sentence.
 * The web UI translates the code with the parameters (web/src/pages/run/reason-messages.ts);
 * the CLI and old rows (stored before parameters existed) use `message`.
 */
export { FAILURE_REASONS, SKIP_CODES };

export const reasonParamsSchema = z.record(
  z.string().max(100),
  z.union([z.string().max(2000), z.number(), z.array(z.string().max(1000)).max(200)]),
);

/**
 * Why a job or a run failed. A run's failure caused by a job carries `params.job` (its name)
 * and the job's own parameters; `reason` is then the job's reason.
 */
export const failureJsonSchema = z.object({
  reason: z.enum(FAILURE_REASONS),
  message: z.string(),
  params: reasonParamsSchema.optional(),
});
export type FailureJson = z.infer<typeof failureJsonSchema>;

/** Why a job was not run. */
export const skipJsonSchema = z.object({
  code: z.enum(SKIP_CODES),
  message: z.string(),
  params: reasonParamsSchema.optional(),
});
export type SkipJson = z.infer<typeof skipJsonSchema>;

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
  // The collector's answers to a site's visitors (feedback widget), not the Slipway UI.
  'feedback_rate',
  'address_rate',
  'site_rate',
  'origin_not_declared',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export const errorJsonSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    where: z.string().optional(),
    reason: z.string().optional(),
    params: reasonParamsSchema.optional(),
  }),
});
export type ErrorJson = z.infer<typeof errorJsonSchema>;
