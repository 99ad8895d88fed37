/**
 * Reuse inside a pipeline: `extends:`, `default:` and hidden jobs, applied to the assembled
 * stages (assemble.ts) before the schema check.
 *
 * - Hidden jobs: a top-level key or a job name starting with `.` is a template. It is never
 *   run and need not be a complete job (`.node: { image: node:20 }`).
 * - `extends: .base` or `extends: [.base, .cache]`: the templates (or other jobs), each with
 *   its own `extends` resolved first, merged in order, then the job over them. Maps merge,
 *   lists and values replace (deep-merge.ts), like GitLab.
 * - `default:`: merged under every job the same way, so a job's own keys win. Generic on
 *   purpose: whatever keys the job schema has (`before_script`, `retry`, …) can be defaults.
 * Unknown templates and cycles are errors on the `extends` entry that names them.
 */
import type { Assembly, JobEntry, Template } from './assemble.js';
import { isHidden } from './assemble.js';
import { deepMerge, isPlainMap, omitKeys } from './deep-merge.js';
import type { Diagnostic } from './diagnostic.js';
import type { ConfigPath } from './locate.js';
import { hasPath, type Site, siteDiagnostic } from './source-map.js';
import { suggest } from './suggest.js';

/** Longest chain of `extends` (GitLab allows 11 levels); deeper is almost surely a mistake. */
export const MAX_EXTENDS_DEPTH = 10;

export function applyReuse(assembly: Assembly): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stages = assembly.stages ?? [];
  const candidates = new Map<string, Template>(assembly.templates);
  const own = new Map<JobEntry, Template>();
  for (const job of stages.flatMap((s) => s.jobs)) {
    const template = { value: job.value, sites: job.sites };
    own.set(job, template);
    if (!candidates.has(job.name)) candidates.set(job.name, template);
  }
  // By template, not name: two jobs of one name (an error reported later) resolve apart.
  const resolved = new Map<Template, Template>();

  const resolve = (name: string, target: Template, chain: readonly string[]): Template => {
    const done = resolved.get(target);
    if (done) return done;
    const value = target.value;
    const written = isPlainMap(value) ? value.extends : undefined;
    const parents =
      typeof written === 'string' ? [written] : Array.isArray(written) ? (written as unknown[]) : null;
    if (parents === null || !parents.every((p): p is string => typeof p === 'string')) {
      // No extends, or one of the wrong shape, which the schema reports on the job.
      resolved.set(target, target);
      return target;
    }
    const site = siteOf(target.sites, ['extends']);
    let merged: unknown = {};
    const sites: Site[] = [...target.sites];
    parents.forEach((parent, k) => {
      const at: ConfigPath = typeof written === 'string' ? ['extends'] : ['extends', k];
      const report = (code: string, message: string) => out.push(siteDiagnostic(site, at, code, message));
      const template = candidates.get(parent);
      if (parent === name || chain.includes(parent)) {
        const cycle = [...chain.slice(chain.indexOf(parent)), name, parent];
        report('extends-cycle', `"${name}" extends "${parent}", which makes a cycle: ${cycle.join(' → ')}`);
      } else if (!template) {
        const guess = suggest(parent, candidates.keys());
        const hint = guess ? `; did you mean "${guess}"?` : '';
        report('extends-unknown', `"${name}" extends "${parent}", which is not a template or job${hint}`);
      } else if (chain.length >= MAX_EXTENDS_DEPTH) {
        report(
          'extends-too-deep',
          `"${name}" extends "${parent}" more than ${MAX_EXTENDS_DEPTH} levels down; flatten the templates`,
        );
      } else {
        const base = resolve(parent, template, [...chain, name]);
        merged = deepMerge(merged, base.value);
        sites.push(...base.sites);
      }
    });
    const result = {
      value: deepMerge(merged, omitKeys(value as Record<string, unknown>, ['extends'])),
      sites,
    };
    resolved.set(target, result);
    return result;
  };

  const defaults = assembly.top.default;
  const defaultSource = assembly.topFiles.find((f) => hasPath(f.value, ['default']));
  for (const stage of stages) {
    for (const job of stage.jobs) {
      const result = resolve(job.name, own.get(job)!, []);
      job.value = result.value;
      job.sites = result.sites;
      if (isHidden(job.name) || !isPlainMap(job.value) || !isPlainMap(defaults) || !defaultSource) continue;
      job.value = deepMerge(defaults, job.value);
      job.sites.push({ source: defaultSource, path: ['default'] });
    }
  }
  // Templates are never run; a stage that held only templates is not shown either.
  assembly.stages =
    assembly.stages?.filter((stage) => {
      const had = stage.jobs.length;
      stage.jobs = stage.jobs.filter((job) => !isHidden(job.name));
      return had === 0 || stage.jobs.length > 0;
    }) ?? null;
  return out;
}

/** The first site that has `rest` (where the key was written), else the most specific one. */
function siteOf(sites: readonly Site[], rest: ConfigPath): Site {
  return sites.find((s) => hasPath(s.source.value, [...s.path, ...rest])) ?? sites[0]!;
}
