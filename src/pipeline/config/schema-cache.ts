import { z } from 'zod';

/**
 * `cache:` of a job (or of `default:`): directories kept between runs on the agent, keyed by a
 * text or by the hash of lock files. One cache, or a list of them (each with its own key).
 */

/** A path the cache keeps: relative to the workspace, absolute, or under `~` (the job's HOME). */
const cachePath = z
  .string()
  .min(1)
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".." (name the directory itself)')
  .refine((p) => p !== '/' && p !== '.' && p !== '~' && p !== './', 'must name a directory, not a root');

/** A key text: variables (`$CI_COMMIT_REF_NAME`) are expanded when the job runs. */
const keyText = z
  .string()
  .min(1)
  .max(250)
  .describe('Text of the key; $VARIABLES are expanded with the job’s environment.');

export const cacheKeySchema = z.union([
  keyText,
  z
    .object({
      files: z
        .array(z.string().min(1))
        .min(1)
        .max(10)
        .describe('Workspace files (lock files) whose contents make the key; changed files, new key.'),
      prefix: keyText.optional().describe('Put before the files’ hash: <prefix>-<hash>.'),
    })
    .strict(),
]);

export const cacheEntrySchema = z
  .object({
    key: cacheKeySchema.optional().describe('Default: "default" (one cache for the whole project).'),
    paths: z
      .array(cachePath)
      .min(1)
      .max(8)
      .describe('Directories to keep: node_modules, /root/.npm, ~/.cache/pip.'),
    policy: z
      .enum(['pull-push', 'pull', 'push'])
      .optional()
      .describe('pull-push (default): restore and save; pull: restore only; push: save only.'),
    fallback_keys: z
      .array(keyText)
      .max(5)
      .optional()
      .describe('Keys to restore from, in order, when the key has no cache yet (the default branch’s).'),
    when: z
      .enum(['on_success', 'always'])
      .optional()
      .describe('Save after a successful job only (default), or also after a failed one.'),
  })
  .strict();

export const cacheSchema = z
  .union([cacheEntrySchema, z.array(cacheEntrySchema).min(1).max(4)])
  .describe('Directories kept between runs on the agent (mounted, not copied, on a hit).');

export type CacheConfig = z.infer<typeof cacheSchema>;
export type CacheEntryConfig = z.infer<typeof cacheEntrySchema>;
