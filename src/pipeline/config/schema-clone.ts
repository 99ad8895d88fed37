import { z } from 'zod';
import type { Diagnostic } from './diagnostic.js';
import { formatPath, type Locator } from './locate.js';

/**
 * Top-level `clone:` — what the workspace holds of git. By default a shallow repository of the
 * run's commit (`.git` with 50 commits of history, the branch checked out), made by the server
 * from its own copy of the repository; `clone: false` gives only the files, as a tar of the tree.
 * It is per run, not per job: every job of a run shares one workspace.
 * Kept apart from schema.ts, which hooks it in with one line.
 */
export const DEFAULT_CLONE_DEPTH = 50;
/** Beyond this the checkout is the whole history anyway for nearly every repository. */
export const MAX_CLONE_DEPTH = 1_000_000;

export const cloneSchema = z
  .union([
    // A boolean rather than the literal false: `clone: true` (the default) is harmless, and a
    // value of the wrong type is then reported as "a boolean or a mapping".
    z
      .boolean()
      .describe('false: no .git, the workspace holds only the files of the commit; true: the default.'),
    z
      .object({
        depth: z
          .number()
          .int('must be a whole number of commits')
          .min(0, 'must be 0 (all history) or more')
          .max(MAX_CLONE_DEPTH)
          .optional()
          .describe(`Commits of history to fetch; 0 means all of it. Default ${DEFAULT_CLONE_DEPTH}.`),
        tags: z
          .boolean()
          .optional()
          .describe('Also fetch the tags inside that history (for git describe --tags); default false.'),
        submodules: z
          .boolean()
          .optional()
          .describe('Not supported yet: submodules live in other repositories; default false.'),
        lfs: z
          .boolean()
          .optional()
          .describe('Not supported yet: the server keeps no LFS objects; default false.'),
      })
      .strict(),
  ])
  .describe(
    'The git checkout in the workspace: { depth: 50, tags: false } by default (also `true`); false for the files only.',
  );

export type CloneConfig = z.infer<typeof cloneSchema>;

/**
 * Submodules and LFS objects would need a network beyond the Slipway server (their
 * repositories, an LFS store), which agents are not given; asking for them is a warning, so a
 * pipeline copied from elsewhere still runs, and says what it does not get.
 */
export function checkClone(clone: CloneConfig | undefined, locate: Locator, file: string): Diagnostic[] {
  if (typeof clone === 'boolean' || clone === undefined) return [];
  const out: Diagnostic[] = [];
  const unsupported = {
    submodules:
      'clone.submodules: true is not supported: submodules live in other repositories, which agents do not reach through the server; the workspace has no submodule contents (check them out in a script)',
    lfs: 'clone.lfs: true is not supported: the server keeps no Git LFS objects; LFS files stay pointer files (run git lfs pull in a script)',
  } as const;
  for (const key of ['submodules', 'lfs'] as const) {
    if (clone[key] !== true) continue;
    const path = ['clone', key];
    const { line, col, file: at = file } = locate(path, 'key');
    out.push({
      code: 'clone-unsupported',
      message: unsupported[key],
      severity: 'warning',
      file: at,
      line,
      col,
      path: formatPath(path),
    });
  }
  return out;
}
