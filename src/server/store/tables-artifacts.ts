import type { Generated } from 'kysely';

/** Row types of migration 017 (artifacts and test reports); see that migration for meanings. */
export interface ArtifactRow {
  id: string;
  project_id: string;
  run_id: string;
  job: string;
  name: string;
  /** Relative to the data directory. */
  path: string;
  size: number;
  files: number;
  /** JSON: `[{ "path": "dist/app.js", "size": 123 }]`. */
  entries: string;
  created_at: number;
  expires_at: number | null;
}

export interface TestReportRow {
  run_id: string;
  job: string;
  project_id: string;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  duration_ms: number;
  coverage: number | null;
  created_at: number;
}

export type TestCaseStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestCaseRow {
  id: number;
  run_id: string;
  job: string;
  project_id: string;
  run_number: number;
  sha: string;
  branch: string | null;
  suite: string;
  classname: string;
  name: string;
  status: TestCaseStatus;
  duration_ms: number;
  message: string | null;
  output: string | null;
}

export interface ArtifactTables {
  artifacts: ArtifactRow;
  test_reports: TestReportRow;
  test_cases: Omit<TestCaseRow, 'id'> & { id: Generated<number> };
}
