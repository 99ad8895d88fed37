import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';

/**
 * `artifacts:` and `reports:` of a job (issue #11). Kept apart from schema.ts, which hooks them
 * in with one line each. Paths are workspace-relative globs (picomatch syntax: `dist/**`,
 * `*.log`); they may contain `$VARIABLES`, expanded on the agent with the job's variables.
 */

/** A workspace-relative path or glob: never absolute, never climbing out with `..`. */
const workspaceGlob = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p), 'must be relative to the workspace')
  .refine(
    (p) => !p.split(/[\\/]/).includes('..'),
    'must not contain ".." (artifacts stay inside the workspace)',
  );

const globList = z.union([workspaceGlob, z.array(workspaceGlob).min(1)]);

/** `30m`, `12h`, `7d`, `2w`, `1 week`, `30 days`, or `never`. */
export function parseExpiry(text: string): number | 'never' | null {
  const t = text.trim().toLowerCase();
  if (t === 'never') return 'never';
  const words = /^(\d+)\s*(d|day|days|w|week|weeks)$/.exec(t);
  if (words) {
    const n = Number(words[1]);
    const unit = (words[2] as string).startsWith('w') ? 7 * 86_400_000 : 86_400_000;
    return n > 0 ? n * unit : null;
  }
  const named = /^(\d+)\s*(hour|hours|minute|minutes|min|mins)$/.exec(t);
  if (named) {
    const n = Number(named[1]);
    return n > 0 ? n * ((named[2] as string).startsWith('h') ? 3_600_000 : 60_000) : null;
  }
  return parseDuration(t);
}

export const artifactsSchema = z
  .object({
    paths: globList.describe('Files and directories to keep, like dist/ or reports/**/*.xml.'),
    exclude: globList.optional().describe('Globs left out of what paths matched.'),
    name: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('Name of the downloaded archive (without extension); default: the job name.'),
    expire_in: z
      .string()
      .refine((t) => parseExpiry(t) !== null, 'must be like 30m, 12h, 7d, 2w, "1 week" or never')
      .optional()
      .describe('How long the server keeps them; default SLIPWAY_ARTIFACT_EXPIRE_IN.'),
    when: z
      .enum(['on_success', 'on_failure', 'always'])
      .optional()
      .describe('Upload after a successful job (default), a failed one, or always.'),
  })
  .strict()
  .describe('Files the job produced, uploaded to the server; later jobs and re-runs get them.');

const coverageSchema = z.union([
  z
    .object({
      regex: z
        .string()
        .min(1)
        .max(500)
        .refine((r) => compiles(r), 'must be a valid regular expression'),
    })
    .strict(),
  z.object({ cobertura: workspaceGlob.describe('Path of a Cobertura XML report.') }).strict(),
]);

export const reportsSchema = z
  .object({
    junit: globList.optional().describe('JUnit XML files; their tests appear on the run page.'),
    coverage: coverageSchema
      .optional()
      .describe('Line coverage: { regex } matched against the job log (last match), or { cobertura: path }.'),
  })
  .strict()
  .describe('Test results and coverage the job reports.');

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export type ArtifactsConfig = z.infer<typeof artifactsSchema>;
export type ReportsConfig = z.infer<typeof reportsSchema>;
