import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import type { EnvironmentName, InsightsCommit, InsightsData, InsightsFact } from './compute-insights.js';
import { DAY_MS } from './time-math.js';

/** What an insights question is about: every filter optional (all projects, production environments). */
export interface InsightsScope {
  /** Project names; empty or absent: every project. */
  projects?: string[];
  application?: string;
  /** An environment name (in every matching application); absent: environments flagged production. */
  environment?: string;
  from: number;
  to: number;
  hotfixWindowMs: number;
}

/** Releases before `from` are read too (this far back), so a release is compared with what was live. */
const CONTEXT_MS = 90 * DAY_MS;
const CHUNK = 400;

/** Reads the rows an insights answer is computed from: indexed reads of the derived tables. */
export async function loadInsights(db: Kysely<Database>, scope: InsightsScope): Promise<InsightsData> {
  let envQuery = db
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .innerJoin('projects', 'projects.id', 'applications.project_id')
    .select([
      'environments.id',
      'environments.name',
      'applications.name as application',
      'projects.name as project',
    ]);
  if (scope.projects && scope.projects.length > 0)
    envQuery = envQuery.where('projects.name', 'in', scope.projects);
  if (scope.application) envQuery = envQuery.where('applications.name', '=', scope.application);
  envQuery = scope.environment
    ? envQuery.where('environments.name', '=', scope.environment)
    : envQuery.where('environments.production', '=', 1);
  const envs = await envQuery.orderBy('projects.name').orderBy('applications.name').execute();
  const environments = new Map<string, EnvironmentName>(
    envs.map((e) => [e.id, { project: e.project, application: e.application, name: e.name }]),
  );
  const ids = [...environments.keys()];
  const facts: InsightsFact[] = [];
  const commits: InsightsCommit[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const factRows = await db
      .selectFrom('release_facts')
      .selectAll()
      .where('environment_id', 'in', chunk)
      .where('ended_at', '>=', scope.from - CONTEXT_MS)
      .where('ended_at', '<', scope.to)
      .execute();
    for (const r of factRows) facts.push(toFact(r));
    const commitRows = await db
      .selectFrom('release_commits')
      .select(['release_id', 'sha', 'authored_at', 'pushed_at', 'released_at'])
      .where('environment_id', 'in', chunk)
      .where('released_at', '>=', scope.from)
      .where('released_at', '<', scope.to)
      .execute();
    for (const c of commitRows) {
      commits.push({
        release_id: c.release_id,
        sha: c.sha,
        authored_at: Number(c.authored_at),
        pushed_at: nullableNumber(c.pushed_at),
        released_at: Number(c.released_at),
      });
    }
  }
  return {
    from: scope.from,
    to: scope.to,
    hotfixWindowMs: scope.hotfixWindowMs,
    environments,
    facts,
    commits,
  };
}

// PostgreSQL returns bigint columns as strings: every time is converted here, once.
function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

function toFact(r: Database['release_facts']): InsightsFact {
  return {
    release_id: r.release_id,
    environment_id: r.environment_id,
    number: Number(r.number),
    trigger: r.trigger,
    status: r.status,
    reason: r.reason,
    ref_name: r.ref_name,
    digest: r.digest,
    rollback_of: r.rollback_of,
    image: r.image,
    source_run_number: nullableNumber(r.source_run_number),
    created_at: Number(r.created_at),
    started_at: nullableNumber(r.started_at),
    ended_at: Number(r.ended_at),
    run_created_at: nullableNumber(r.run_created_at),
    run_started_at: nullableNumber(r.run_started_at),
    pipeline_end_at: nullableNumber(r.pipeline_end_at),
    approved_at: nullableNumber(r.approved_at),
    stages: JSON.parse(r.stages) as { stage: string; ms: number }[],
    manual_wait_ms: Number(r.manual_wait_ms),
  };
}
