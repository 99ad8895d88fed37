import type { ExpressionBuilder } from 'kysely';
import { type RunTestCounts, runTestCountsSchema } from '../../api/runs.js';
import type { Database } from '../store/tables.js';

/**
 * The test counts and coverage of a run as the records table shows them (sums over its jobs'
 * `test_reports` rows; coverage is the mean of the jobs that report one). They are selected as
 * correlated sub-queries of the run list itself, each an index lookup on test_reports' primary
 * key (run_id, job): one query for the whole page, however many runs it holds.
 */
export { type RunTestCounts, runTestCountsSchema };

/** Columns added to a `runs` select; null `tests_total` means the run has no report. */
export interface TestCountColumns {
  tests_total: number | string | null;
  tests_passed: number | string | null;
  tests_failed: number | string | null;
  tests_skipped: number | string | null;
  tests_coverage: number | string | null;
}

type RunsEb = ExpressionBuilder<Database, 'runs'>;

export function testCountSelections(eb: RunsEb) {
  const reports = () => eb.selectFrom('test_reports as tr').whereRef('tr.run_id', '=', 'runs.id');
  return [
    reports()
      .select((e) => e.fn.sum<number | null>('tr.total').as('t'))
      .as('tests_total'),
    reports()
      .select((e) => e.fn.sum<number | null>('tr.passed').as('t'))
      .as('tests_passed'),
    reports()
      .select((e) => e.fn.sum<number | null>(e('tr.failed', '+', e.ref('tr.errored'))).as('t'))
      .as('tests_failed'),
    reports()
      .select((e) => e.fn.sum<number | null>('tr.skipped').as('t'))
      .as('tests_skipped'),
    reports()
      .select((e) => e.fn.avg<number | null>('tr.coverage').as('t'))
      .as('tests_coverage'),
  ] as const;
}

/** PostgreSQL sums come back as strings (bigint/numeric): numbers for the API either way. */
export function testCountsOf(row: TestCountColumns): RunTestCounts | null {
  if (row.tests_total === null || row.tests_total === undefined) return null;
  const coverage = row.tests_coverage === null ? null : Math.round(Number(row.tests_coverage) * 100) / 100;
  return {
    total: Number(row.tests_total),
    passed: Number(row.tests_passed ?? 0),
    failed: Number(row.tests_failed ?? 0),
    skipped: Number(row.tests_skipped ?? 0),
    coverage,
  };
}
