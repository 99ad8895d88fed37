import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import type { EnvironmentName, InsightsCommit, InsightsData } from './compute-insights.js';
import { factFromRow, type InsightsFact } from './fact-row.js';
import type { InsightsFactCache } from './insights-cache.js';
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

/** Reads the rows an insights answer is computed from: indexed reads of the derived tables (commits when asked). */
export async function loadInsights(
  db: Kysely<Database>,
  scope: InsightsScope,
  withCommits = false,
  cache?: InsightsFactCache,
): Promise<InsightsData> {
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
  const facts: InsightsFact[] = cache ? await cache.factsOf(db, ids, scope.from - CONTEXT_MS, scope.to) : [];
  const commits: InsightsCommit[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const factRows = cache
      ? []
      : await db
          .selectFrom('release_facts')
          .selectAll()
          .where('environment_id', 'in', chunk)
          .where('ended_at', '>=', scope.from - CONTEXT_MS)
          .where('ended_at', '<', scope.to)
          .execute();
    for (const r of factRows) facts.push(factFromRow(r));
    // Commits one by one only for the drill-down: summaries use the per-release aggregates.
    if (!withCommits) continue;
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
        pushed_at: c.pushed_at === null ? null : Number(c.pushed_at),
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
