/**
 * `artifacts:` / `reports:` of a job → their plan form (plain JSON the agent acts on).
 * Globs stay unexpanded: `$VARIABLES` in them are expanded by the agent with the job's variables.
 */
import { type ArtifactsConfig, parseExpiry, type ReportsConfig } from '../config/schema-artifacts.js';
import type { PlanArtifacts, PlanReports } from './plan-artifacts.js';

export function compileArtifactFields(job: {
  artifacts?: ArtifactsConfig | undefined;
  reports?: ReportsConfig | undefined;
}): { artifacts?: PlanArtifacts; reports?: PlanReports } {
  return {
    ...(job.artifacts ? { artifacts: compileArtifacts(job.artifacts) } : {}),
    ...(job.reports ? { reports: compileReports(job.reports) } : {}),
  };
}

function compileArtifacts(a: ArtifactsConfig): PlanArtifacts {
  const expiry = a.expire_in === undefined ? null : parseExpiry(a.expire_in);
  return {
    paths: list(a.paths),
    exclude: list(a.exclude),
    name: a.name ?? null,
    // null: the server's default; 'never' is kept until deleted by hand.
    expireInMs: expiry === 'never' ? 'never' : expiry,
    when: a.when ?? 'on_success',
  };
}

function compileReports(r: ReportsConfig): PlanReports {
  return {
    junit: list(r.junit),
    coverage: r.coverage
      ? 'regex' in r.coverage
        ? { regex: r.coverage.regex }
        : { cobertura: r.coverage.cobertura }
      : null,
  };
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}
