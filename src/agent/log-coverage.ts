import type { Plan } from '../pipeline/plan/plan.js';
import { coverageFromLine } from './junit-parse.js';

/**
 * `reports: { coverage: { regex } }`: the job's (masked) log lines are matched as they pass to
 * the reporter, and the last match is the job's coverage — no second read of the log.
 */
export class LogCoverage {
  private readonly regexes = new Map<string, RegExp>();
  private readonly found = new Map<string, number>();

  constructor(plan: Plan) {
    for (const job of plan.stages.flatMap((s) => s.jobs)) {
      const spec = job.reports?.coverage;
      if (spec && 'regex' in spec) {
        try {
          this.regexes.set(job.name, new RegExp(spec.regex));
        } catch {
          // The config check refuses bad regexes; a plan stored before it simply reports none.
        }
      }
    }
  }

  observe(job: string, line: string): void {
    const regex = this.regexes.get(job);
    if (!regex || line.length > 10_000) return;
    const value = coverageFromLine(line, regex);
    if (value !== null) this.found.set(job, value);
  }

  of(job: string): number | null {
    return this.found.get(job) ?? null;
  }
}
