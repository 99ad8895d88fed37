/**
 * Config problems are data. Only `error` blocks a run; `warning` is shown with the run.
 * `line`/`col` are 1-based; every diagnostic carries a location (line 1, col 1 when the problem
 * is the file as a whole).
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable, greppable code, e.g. `yaml-syntax`, `unknown-key`, `needs-unknown-job`. */
  code: string;
  message: string;
  severity: Severity;
  file: string;
  line: number;
  col: number;
  /** The YAML path of the offending node, e.g. `stages.1.jobs.test.script`. */
  path: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
