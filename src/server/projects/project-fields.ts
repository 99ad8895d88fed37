import { z } from 'zod';
import { isValidShortRefName } from '../../domain/ref.js';

/**
 * Input rules of the project aggregate. Names end up in URLs (`/git/<name>.git`) and on disk, so
 * they are a strict, lowercase, path-safe set; branch names follow git's own ref rules so a
 * stored branch is always one git can name.
 */
export const PROJECT_NAME = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,62}$/,
    'lowercase letters, digits, "_", "." or "-", starting with a letter or digit, at most 63',
  )
  .refine((name) => !name.endsWith('.git') && !name.includes('..'), 'may not end in ".git" or contain ".."');

/** The `:project` path parameter of every project route (checked against the database, not a regex). */
export const PROJECT_PARAM = z.object({ project: z.string().max(100) });

export const BRANCH = z.string().min(1).max(255).refine(isValidShortRefName, 'not a valid git branch name');

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

export const FORGE = z.enum(['github', 'gitea', 'gitlab', 'gitee']);
export const CONCURRENCY_LIMIT = z.number().int().min(1).max(64);
