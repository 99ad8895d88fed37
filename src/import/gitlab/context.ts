import type { ImportOutcome, ReportBuilder, ReportParams } from '../report.js';
import { lineOf, type SourceFile } from '../source.js';
import type { Origin } from './resolve.js';

/** Reports about one job's keys, at the line each key is written (its own, a template's, default's). */
export class JobReporter {
  constructor(
    private readonly report: ReportBuilder,
    private readonly job: string,
    private readonly origins: ReadonlyMap<string, Origin>,
    private readonly home: Origin,
  ) {}

  /** `key` may go deeper, like `rules.2` (the third rule). */
  where(key: string): { file: SourceFile; line: number } {
    const [head, ...rest] = key.split('.');
    const path = [head as string, ...rest.map((s) => (/^\d+$/.test(s) ? Number(s) : s))];
    const origin = this.origins.get(head as string);
    if (!origin) return { file: this.home.file, line: lineOf(this.home.file, [this.job, ...path]) };
    return { file: origin.file, line: lineOf(origin.file, [...origin.owner, ...path]) };
  }

  /** True when the key is written in the job itself (its comments can be carried over). */
  isOwn(key: string): boolean {
    const origin = this.origins.get(key);
    return origin !== undefined && origin.owner.length === 1 && origin.owner[0] === this.job;
  }

  add(
    key: string,
    outcome: ImportOutcome,
    code: string,
    params: ReportParams = {},
    construct = key.split('.')[0] as string,
  ): void {
    const { file, line } = this.where(key);
    this.report.add({
      file: file.path,
      line,
      construct,
      job: this.job,
      outcome,
      code,
      params: { job: this.job, ...params },
    });
  }

  ok(key: string, code: string, params?: ReportParams): void {
    this.add(key, 'translated', code, params);
  }

  approx(key: string, code: string, params?: ReportParams): void {
    this.add(key, 'approximated', code, params);
  }

  no(key: string, code: string, params?: ReportParams): void {
    this.add(key, 'untranslatable', code, params);
  }
}
