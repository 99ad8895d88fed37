/**
 * Variables a translated file may not set in Slipway (`CI`, `CI_*`, `SLIPWAY_*`: its standard
 * variables; loader and shell hooks): dropped, and reported, so the output passes `slipway lint`.
 */
import { reservedEnvReason } from '../domain/reserved-env.js';
import type { PipelineDraft, Scalar } from './draft.js';
import type { ReportBuilder } from './report.js';

export function dropReservedVariables(draft: PipelineDraft, report: ReportBuilder, file: string): void {
  const clean = (
    vars: Record<string, Scalar> | undefined,
    job?: string,
  ): Record<string, Scalar> | undefined => {
    if (!vars) return vars;
    const kept = Object.fromEntries(
      Object.entries(vars).filter(([name]) => reservedEnvReason(name) === null),
    );
    for (const name of Object.keys(vars)) {
      if (name in kept) continue;
      report.add({
        file,
        line: 1,
        construct: 'variables',
        ...(job ? { job } : {}),
        outcome: 'approximated',
        code: 'common.variables.reserved',
        params: { name, ...(job ? { job } : {}) },
      });
    }
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  draft.variables = clean(draft.variables);
  for (const stage of draft.stages) {
    for (const job of stage.jobs) {
      job.variables = clean(job.variables, job.name);
      if (job.secrets) job.secrets = job.secrets.filter((s) => reservedEnvReason(s) === null);
    }
  }
}
