/**
 * `runs_on` across the whole pipeline. A lease is one run (all its jobs on one agent), so the
 * run needs the union of the top-level and every job's `runs_on`; a key given two different
 * values (top-level `pool: build`, a job's `pool: deploy`) could never be met by one agent and
 * is reported on the later value, naming where the first was set.
 */
import type { Diagnostic } from './diagnostic.js';
import { type ConfigPath, formatPath, type Locator } from './locate.js';
import type { PipelineConfig } from './schema.js';

export function checkRunsOn(config: PipelineConfig, locate: Locator, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const first = new Map<string, { value: string; path: ConfigPath }>();
  const visit = (runsOn: Record<string, unknown> | undefined, base: ConfigPath) => {
    for (const [key, raw] of Object.entries(runsOn ?? {})) {
      const value = String(raw);
      const path = [...base, 'runs_on', key];
      const seen = first.get(key);
      if (!seen) {
        first.set(key, { value, path });
        continue;
      }
      if (seen.value === value) continue;
      const { line, col, file: at = file } = locate(path, 'value');
      const firstLine = locate(seen.path, 'value').line;
      out.push({
        code: 'runs-on-conflict',
        message: `runs_on ${key}: ${value} conflicts with ${key}: ${seen.value} (line ${firstLine}); all jobs of a run run on one agent, so a label key may have only one value in a pipeline`,
        severity: 'error',
        file: at,
        line,
        col,
        path: formatPath(path),
      });
    }
  };
  visit(config.runs_on, []);
  config.stages.forEach((stage, s) => {
    for (const [name, job] of Object.entries(stage.jobs)) visit(job.runs_on, ['stages', s, 'jobs', name]);
  });
  return out;
}
