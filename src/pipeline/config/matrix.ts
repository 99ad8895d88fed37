/**
 * `matrix:` → one job per combination of the axes' values.
 *
 *   test:
 *     matrix: { node: [18, 20], db: [pg, mysql] }
 *
 * becomes `test [node=18, db=pg]`, `test [node=18, db=mysql]`, … in the same stage, each with
 * its values as variables (`$node`, `$db`). GitLab's `parallel: { matrix: [ {…}, {…} ] }` is the
 * union of each entry's combinations. `needs: [test]` elsewhere names all of them (fan-in).
 * Runs after extends/default (assemble.ts, extends.ts), so a template may carry the matrix.
 */
import type { JobEntry, StageEntry } from './assemble.js';
import { isPlainMap, omitKeys, type PlainMap, setOwn } from './deep-merge.js';
import type { Diagnostic } from './diagnostic.js';
import { MAX_MATRIX_COMBINATIONS, matrixSchema, parallelSchema } from './schema-reuse.js';
import { hasPath, type Site, siteDiagnostic } from './source-map.js';

type Axes = Record<string, string | number | boolean | Array<string | number | boolean>>;
type Combination = Array<[string, string]>;

export function expandMatrices(stages: StageEntry[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fanOut = new Map<string, string[]>();
  for (const stage of stages) {
    stage.jobs = stage.jobs.flatMap((job) => {
      const variants = expandJob(job, out);
      if (variants !== null)
        fanOut.set(
          job.name,
          variants.map((v) => v.name),
        );
      return variants ?? [job];
    });
  }
  if (fanOut.size === 0) return out;
  for (const job of stages.flatMap((s) => s.jobs)) {
    if (!isPlainMap(job.value) || !Array.isArray(job.value.needs)) continue;
    const needs = job.value.needs.flatMap((need) =>
      typeof need === 'string' && fanOut.has(need) ? fanOut.get(need)! : [need],
    );
    job.value = { ...job.value, needs };
  }
  return out;
}

/** The jobs a matrix job becomes, or null when it has no (valid) matrix. */
function expandJob(job: JobEntry, out: Diagnostic[]): JobEntry[] | null {
  const value = job.value;
  if (!isPlainMap(value) || (value.matrix === undefined && value.parallel === undefined)) return null;
  const site = (key: string): Site =>
    job.sites.find((s) => hasPath(s.source.value, [...s.path, key])) ?? job.sites[0]!;
  if (value.matrix !== undefined && value.parallel !== undefined) {
    out.push(
      siteDiagnostic(
        site('parallel'),
        ['parallel'],
        'matrix-twice',
        `job "${job.name}" has both matrix and parallel; give the axes once`,
        { target: 'key' },
      ),
    );
    return null;
  }
  const key = value.matrix !== undefined ? 'matrix' : 'parallel';
  const sets = axisSets(value);
  // A malformed matrix stays on the job for the schema check to report, located and worded.
  if (sets === null) return null;
  const count = sets.reduce((sum, axes) => sum + combinationCount(axes), 0);
  if (count > MAX_MATRIX_COMBINATIONS) {
    out.push(
      siteDiagnostic(
        site(key),
        [key],
        'matrix-too-large',
        `the matrix of job "${job.name}" makes ${count} jobs; at most ${MAX_MATRIX_COMBINATIONS} are allowed — split it or drop an axis`,
        { target: 'key' },
      ),
    );
    return null;
  }
  const seen = new Set<string>();
  const variants: JobEntry[] = [];
  for (const combination of sets.flatMap(combinations)) {
    const name =
      combination.length === 0
        ? job.name
        : `${job.name} [${combination.map(([k, v]) => `${k}=${v}`).join(', ')}]`;
    if (seen.has(name)) continue;
    seen.add(name);
    const own = omitKeys(value, ['matrix', 'parallel']);
    const variables: PlainMap = isPlainMap(own.variables) ? { ...own.variables } : {};
    for (const [axis, axisValue] of combination) setOwn(variables, axis, axisValue);
    setOwn(own, 'variables', variables);
    variants.push({ name, value: own, sites: job.sites });
  }
  return variants;
}

function axisSets(value: PlainMap): Axes[] | null {
  if (value.matrix !== undefined) {
    const parsed = matrixSchema.safeParse(value.matrix);
    return parsed.success ? [parsed.data] : null;
  }
  const parsed = parallelSchema.safeParse(value.parallel);
  return parsed.success ? parsed.data.matrix : null;
}

function combinationCount(axes: Axes): number {
  return Object.values(axes).reduce<number>((n, v) => n * (Array.isArray(v) ? v.length : 1), 1);
}

/** Every combination, the first axis varying slowest (the order people read a table in). */
function combinations(axes: Axes): Combination[] {
  let out: Combination[] = [[]];
  for (const [axis, raw] of Object.entries(axes)) {
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    out = out.flatMap((prefix) => values.map((v): Combination => [...prefix, [axis, v]]));
  }
  return out;
}
