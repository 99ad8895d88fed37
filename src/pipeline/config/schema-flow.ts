import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';

/**
 * The job keys that change how a job runs rather than what it runs: `before_script`,
 * `after_script`, `when`, `allow_failure: {exit_codes}` and `retry`. Kept out of schema.ts so
 * the run-time behaviour (runtime/job-flow.ts, runtime/job-retry.ts) and its language live
 * side by side; schema.ts spreads `flowJobKeys` into the job object.
 */

const lines = z.union([z.string(), z.array(z.string())]);
const exitCode = z.number().int().min(0).max(255);
const exitCodes = z.union([exitCode, z.array(exitCode).min(1)]);

const duration = z
  .string()
  .refine((text) => parseDuration(text) !== null, 'must be a duration like 90s, 5m or 1h30m');

/** GitLab's `retry:when` words that mean something here, plus Slipway's own failure reasons. */
export const RETRY_WHEN = [
  'always',
  'script_failure',
  'exit_code',
  'timeout',
  'job_execution_timeout',
  'stuck_or_timeout_failure',
  'image_not_found',
  'agent_lost',
  'runner_system_failure',
  'backend_error',
  'unknown_failure',
] as const;
export type RetryWhen = (typeof RETRY_WHEN)[number];

export const MAX_RETRIES = 3;
const retryCount = z.number().int().min(0).max(MAX_RETRIES, `at most ${MAX_RETRIES} retries`);

export const retrySchema = z
  .union([
    retryCount,
    z
      .object({
        max: retryCount.optional().describe('Retries after the first attempt (0-3); default 2.'),
        when: z
          .union([z.enum(RETRY_WHEN), z.array(z.enum(RETRY_WHEN)).min(1)])
          .optional()
          .describe('Which failures are retried; default always (every failure but a config error).'),
        exit_codes: exitCodes.optional().describe('Retry only when the script exited with one of these.'),
      })
      .strict(),
  ])
  .describe('Run the job again when it fails: a count (0-3) or {max, when, exit_codes}.');

export const allowFailureSchema = z
  .union([
    z.boolean(),
    z.object({ exit_codes: exitCodes.describe('Only these exit codes are allowed failures.') }).strict(),
  ])
  .describe('true, or {exit_codes: [...]}: a failure with one of them does not fail the run.');

export const whenSchema = z
  .enum(['on_success', 'on_failure', 'always', 'manual', 'never'])
  .describe(
    'on_success (default): when every earlier job did well; on_failure: only when an earlier job failed; always: whatever happened before; manual: waits for a click; never: not run.',
  );

/** Globs (picomatch, `**` crosses directories, dotfiles match) over the repository's paths. */
export const changesSchema = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe(
    'Run only when a changed file matches one of these globs (src/**, "*.md"); pushes and pull requests only.',
  );

/** Spread into the job object of schema.ts. */
export const flowJobKeys = {
  before_script: lines
    .optional()
    .describe('Lines run before `script` in the same shell; a failure is the job failing.'),
  after_script: lines
    .optional()
    .describe(
      'Lines run after `script` in a fresh shell, also when it failed or timed out (not when canceled); cannot change the result.',
    ),
  after_script_timeout: duration.optional().describe('Bound on after_script; default 5m.'),
  retry: retrySchema.optional(),
  allow_failure: allowFailureSchema.optional(),
  when: whenSchema.optional(),
  changes: changesSchema.optional(),
};

export type RetryConfig = z.infer<typeof retrySchema>;
export type AllowFailureConfig = z.infer<typeof allowFailureSchema>;

/**
 * Top-level `workflow:` — whether the event gets a run at all. `filter` is schema.ts's only/except
 * filter, passed in so the two files do not import each other.
 */
export function workflowSchema<F extends z.ZodTypeAny>(filter: F) {
  return z
    .object({
      only: filter.optional(),
      except: filter.optional(),
      changes: changesSchema.optional(),
      when: z
        .enum(['always', 'never'])
        .optional()
        .describe('never: no run for any event (pause the pipeline); default always.'),
    })
    .strict()
    .describe('Whether an event gets a run at all; when it does not, no record is made.');
}
