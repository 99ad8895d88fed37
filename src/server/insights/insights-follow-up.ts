import type { Kysely } from 'kysely';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { Database, ProjectRow } from '../store/tables.js';
import { saveReleaseCommits, saveReleaseFacts } from './insights-store.js';
import { releaseCommits } from './release-commits.js';
import { ENDED_RELEASE, releaseFacts } from './release-facts.js';

export interface InsightsDeps {
  db: Kysely<Database>;
  /** The git directory of a project's repository (built-in repo or mirror). */
  gitDir: (project: Pick<ProjectRow, 'id' | 'source_kind'>) => string;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
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
  await saveReleaseFacts(deps.db, fact);
  if (fact.commits === 'pending') await recordCommits(deps, releaseId);
}

async function recordCommits(deps: InsightsDeps, releaseId: string): Promise<void> {
  const fact = await deps.db
    .selectFrom('release_facts')
    .selectAll()
    .where('release_id', '=', releaseId)
    .executeTakeFirst();
  if (!fact) return;
  const project = await deps.db
    .selectFrom('projects')
    .select(['id', 'source_kind'])
    .where('id', '=', fact.project_id)
    .executeTakeFirst();
  if (!project) return;
  const commits = await releaseCommits(deps.db, deps.gitDir(project), fact);
  if (commits === null) {
    deps.log.warn(
      { release: releaseId, sha: fact.source_sha },
      'insights: released commit not in the repository yet',
    );
  }
  await saveReleaseCommits(deps.db, fact, commits);
}

/**
 * The replay cursor of insights: facts are missing for every ended release the subscriber did
 * not see — history from before migration 018 (the backfill), events committed while the
 * server died before dispatching them — and commits are missing where the repository lacked the
 * commit. Both are found by query (the facts table is the cursor) and computed here, oldest
 * release first so each sees its predecessors' commits. Run at start; returns how many releases
 * it computed.
 */
export async function catchUpInsights(deps: InsightsDeps, batch = 200): Promise<number> {
  let done = 0;
  const tried = new Set<string>();
  for (;;) {
    const rows = await deps.db
      .selectFrom('releases')
      .leftJoin('release_facts', 'release_facts.release_id', 'releases.id')
      .select('releases.id')
      .where('releases.status', 'in', [...ENDED_RELEASE])
      .where((eb) =>
        eb.or([
          eb('release_facts.release_id', 'is', null),
          eb('release_facts.commits', 'in', ['pending', 'missing']),
        ]),
      )
      .orderBy('releases.finished_at')
      .orderBy('releases.number')
      .limit(batch + tried.size)
      .execute();
    const todo = rows.filter((r) => !tried.has(r.id)).slice(0, batch);
    if (todo.length === 0) return done;
    for (const { id } of todo) {
      tried.add(id);
      try {
        await recordRelease(deps, id);
        done++;
      } catch (error) {
        deps.log.warn({ err: error, release: id }, 'insights: computing a release failed');
      }
    }
  }
}
