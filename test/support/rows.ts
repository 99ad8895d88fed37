/**
 * Rows for tests (and benches) that write the database directly: every column filled with a
 * plain default, so a test names only the values it is about.
 */
import { randomUUID } from 'node:crypto';
import type {
  EnvironmentRow,
  JobRow,
  ProjectRow,
  ReleaseRow,
  RunRow,
} from '../../src/server/store/tables.js';

/** A built-in project with a fresh id and name. */
export function projectRow(fields: Partial<ProjectRow> = {}): ProjectRow {
  return {
    id: randomUUID(),
    name: `p-${randomUUID().slice(0, 8)}`,
    source_kind: 'builtin',
    remote_url: null,
    forge: null,
    default_branch: 'main',
    webhook_secret: '',
    concurrency_limit: 1,
    trusted: 0,
    created_at: 0,
    ...fields,
  };
}

/** A push run on main with a fresh id; `record` follows the number unless given. */
export function runRow(fields: Pick<RunRow, 'project_id' | 'number'> & Partial<RunRow>): RunRow {
  return {
    id: randomUUID(),
    record: `main-${fields.number}`,
    trigger: 'push',
    actor: 'alice',
    ref_kind: 'branch',
    ref_name: 'main',
    sha: 'f'.repeat(40),
    message: '',
    author: 'alice',
    commit_time: null,
    status: 'succeeded',
    failure_reason: null,
    failure_message: null,
    plan: null,
    diagnostics: '[]',
    variables: '{}',
    untrusted: 0,
    parent_run_id: null,
    created_at: 0,
    started_at: null,
    finished_at: null,
    ...fields,
  };
}

/** A pending job, first of the first stage unless the indexes are given. */
export function jobRow(fields: Pick<JobRow, 'run_id' | 'name' | 'stage'> & Partial<JobRow>): JobRow {
  return {
    stage_index: 0,
    job_index: 0,
    status: 'pending',
    allow_failure: 0,
    manual: 0,
    failure_reason: null,
    failure_message: null,
    skip_code: null,
    skip_message: null,
    exit_code: null,
    started_at: null,
    finished_at: null,
    ...fields,
  };
}

/**
 * A manual release that succeeded at `at` (created, started and finished then) with a fresh id;
 * its image is `web:<number>`, and no run, commit or digest is behind it unless given.
 */
export function releaseRow(
  fields: Pick<ReleaseRow, 'application_id' | 'environment_id' | 'number'> & Partial<ReleaseRow>,
  at = 0,
): ReleaseRow {
  return {
    id: randomUUID(),
    image: `web:${fields.number}`,
    digest: null,
    config: '{}',
    config_version: 1,
    replicas: 1,
    source_run_id: null,
    source_sha: null,
    release_run_id: null,
    release_job: null,
    trigger: 'manual',
    actor: 'test',
    status: 'succeeded',
    reason: null,
    created_at: at,
    started_at: at,
    finished_at: at,
    rollback_of: null,
    promoted_from: null,
    ...fields,
  };
}

/** A docker environment at position 0 with an empty config, no approval and no auto release. */
export function environmentRow(
  fields: Pick<EnvironmentRow, 'application_id' | 'name'> & Partial<EnvironmentRow>,
  at = 0,
): EnvironmentRow {
  return {
    id: randomUUID(),
    position: 0,
    target: 'docker',
    config: '{}',
    requires_approval: 0,
    auto_release: null,
    config_version: 1,
    created_at: at,
    updated_at: at,
    ...fields,
  };
}
