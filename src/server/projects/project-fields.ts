import { z } from 'zod';

/**
 * Input rules of the project aggregate. The ones a request body carries (name, branch, forge,
 * concurrency limit) are part of the API's shapes and live in src/api/projects.ts.
 */
export { BRANCH, CONCURRENCY_LIMIT, FORGE, PROJECT_NAME } from '../../api/projects.js';

/** The `:project` path parameter of every project route (checked against the database, not a regex). */
export const PROJECT_PARAM = z.object({ project: z.string().max(100) });

export const SECRET_NAME = z
  .string()
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and "_", not starting with a digit');

/** Shorter values cannot be masked in logs without masking ordinary words too (rule 7). */
export const MIN_SECRET_LENGTH = 8;
export const SECRET_VALUE = z
  .string()
  .min(MIN_SECRET_LENGTH, `too short to be masked (at least ${MIN_SECRET_LENGTH} characters)`)
  .max(64 * 1024, 'at most 64 KiB');
