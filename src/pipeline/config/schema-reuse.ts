/**
 * Schema pieces of the reuse and naming constructs (`extends`, `matrix`, `parallel`, `include`,
 * names in any language). They live apart from schema.ts so that file stays a short list of
 * keys; the expansion itself happens before validation (reuse.ts, matrix.ts, include.ts).
 */
import { z } from 'zod';

/**
 * Names of jobs and stages: any language (`构建`, `单元测试`), spaces inside, up to 200
 * characters (what a record URL carries). No control characters, no blanks at either end —
 * those are invisible in the UI and in logs. Containers, volumes and variables use the ASCII
 * slug of a name (domain/name-slug.ts), never the name itself.
 */
export const JOB_NAME = /^[^\s\p{Cc}](?:[^\p{Cc}]{0,198}[^\s\p{Cc}])?$/u;
export const JOB_NAME_RULE =
  'must be 1 to 200 characters, without control characters or blanks at either end';

/** Most combinations one `matrix:` may produce: each is a job, a container, a UI column. */
export const MAX_MATRIX_COMBINATIONS = 64;

const axisValue = z.union([z.string(), z.number(), z.boolean()]);
const axisName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a shell variable name');

/** `{ node: [18, 20], db: [pg, mysql] }`: every combination of the values becomes a job. */
export const matrixSchema = z
  .record(axisName, z.union([axisValue, z.array(axisValue).min(1)]))
  .describe(
    `Axes; one job per combination (at most ${MAX_MATRIX_COMBINATIONS}), named like "test [node=20, db=pg]", with the values as variables.`,
  );

/** GitLab's form: `parallel: { matrix: [ {axes}, {axes} ] }`, the union of each entry's combinations. */
export const parallelSchema = z
  .object({ matrix: z.array(matrixSchema).min(1) })
  .strict()
  .describe("GitLab's form of matrix: a list of axis sets; their combinations are added together.");

export const extendsSchema = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe(
    'Templates (hidden jobs like .base, or other jobs) this job builds on; later ones and the job itself win. Maps merge, lists and values replace.',
  );

const includeEntry = z.union([
  z.string().min(1).describe('A path or glob in this repository, like ci/*.yml.'),
  z.object({ local: z.string().min(1).describe('A path or glob in this repository.') }).strict(),
]);

export const includeSchema = z
  .union([includeEntry, z.array(includeEntry)])
  .describe('Other files of this repository, at the same commit, merged into this one (this file wins).');
