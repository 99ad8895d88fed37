import type { Kysely } from 'kysely';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { Database, ProjectRow } from '../store/tables.js';
import { backfillReleaseFacts } from './backfill-facts.js';
import { computeEnvironmentCommits } from './environment-commits.js';
import type { InsightsFactCache } from './insights-cache.js';
import { saveReleaseFacts } from './insights-store.js';
import { releaseFacts } from './release-facts.js';

export interface InsightsDeps {
  db: Kysely<Database>;
  /** The git directory of a project's repository (built-in repo or mirror). */
  gitDir: (project: Pick<ProjectRow, 'id' | 'source_kind'>) => string;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** The API's facts cache: told after every write so it never serves facts older than the table. */
  cache?: InsightsFactCache;
}

/**
 * Delivery insights follow releases through the delivery event bus: when a release ends, its
 * facts are stored, and for a successful one the commits it shipped first (git on the project's
 * repository). Idempotent (facts are replaced, commits recomputed to the same rows), so a replay
 * or the catch-up below may handle a release twice. Returns the unsubscribe function.
 */
export function followReleasesForInsights(bus: DeliveryEventBus, deps: InsightsDeps): () => void {
  return bus.subscribe(
    'insights',
    async (event) => {
      if (event.releaseId) await recordRelease(deps, event.releaseId);
    },
    ['release.succeeded', 'release.failed', 'release.rolled_back', 'release.canceled'],
  );
}

/** Computes and stores one ended release's facts and (when it succeeded) its commits. */
export async function recordRelease(deps: InsightsDeps, releaseId: string): Promise<void> {
  const fact = await releaseFacts(deps.db, releaseId);
  if (!fact) return;
  try {
    await saveReleaseFacts(deps.db, fact);
    if (fact.commits !== 'pending') return;
    const gitDir = await projectGitDir(deps, fact.project_id);
    if (gitDir) await computeEnvironmentCommits(deps.db, gitDir, fact.environment_id, [releaseId]);
  } finally {
    deps.cache?.invalidate(fact.environment_id);
  }
}

async function projectGitDir(deps: InsightsDeps, projectId: string): Promise<string | null> {
  const project = await deps.db
    .selectFrom('projects')
    .select(['id', 'source_kind'])
    .where('id', '=', projectId)
    .executeTakeFirst();
  return project ? deps.gitDir(project) : null;
}

/**
 * The replay cursor of insights, run at start: facts are missing for every ended release the
 * subscriber did not see (events committed while the server died before dispatching them; the
 * history from before insights is computed by migration 027 already), and commits are `pending`
 * for releases whose facts the migration computed (it cannot call git) and `missing` where the
 * repository lacked the commit. Both are found by query (the facts table is the cursor) and
 * computed in one pass per environment (environment-commits.ts). Resumable: whatever a crash
 * interrupts stays pending and the next start carries on. Returns how many releases it computed.
 */
export async function catchUpInsights(deps: InsightsDeps): Promise<number> {
  const touched = new Set(await backfillReleaseFacts(deps.db));
  if (touched.size > 0) deps.cache?.invalidate();
  const pending = await deps.db
    .selectFrom('release_facts')
    .select(['release_id', 'environment_id', 'project_id'])
    .where('commits', 'in', ['pending', 'missing'])
    .execute();
  const byEnvironment = new Map<string, { projectId: string; ids: string[] }>();
  for (const row of pending) {
    const entry = byEnvironment.get(row.environment_id) ?? { projectId: row.project_id, ids: [] };
    entry.ids.push(row.release_id);
    byEnvironment.set(row.environment_id, entry);
  }
  for (const [environmentId, { projectId, ids }] of byEnvironment) {
    try {
      const gitDir = await projectGitDir(deps, projectId);
      if (!gitDir) continue;
      await computeEnvironmentCommits(deps.db, gitDir, environmentId, ids);
      for (const id of ids) touched.add(id);
    } catch (error) {
      deps.log.warn({ err: error, environment: environmentId }, 'insights: computing commits failed');
    } finally {
      deps.cache?.invalidate(environmentId);
    }
  }
  return touched.size;
}
