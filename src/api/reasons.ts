import { z } from 'zod';
import { ERROR_REASONS, FAILURE_REASONS, SKIP_CODES } from '../domain/reason-codes.js';

export type {
  ErrorReason,
  FailureReason,
  ReasonParams,
  ReasonParamValue,
  SkipCode,
} from '../domain/reason-codes.js';
/**
 * Reasons as the API sends them: a stable code, its parameters, and the English sentence.
 * The web UI translates the code with the parameters (web/src/pages/run/reason-messages.ts);
 * the CLI and old rows (stored before parameters existed) use `message`.
 */
export { ERROR_REASONS, FAILURE_REASONS, SKIP_CODES };

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

/** Error answers: `reason` is one of ERROR_REASONS when the UI can say it in its own words. */
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
