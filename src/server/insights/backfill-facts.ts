import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import { insertMissingReleaseFacts } from './insights-store.js';
import { ENDED_RELEASE, releaseFactsOf } from './release-facts.js';

/**
 * Computes the facts of every ended release that has none — the history from before insights
 * existed (migration 027 runs this), and releases whose end event was lost in a crash (the
 * catch-up at start runs it again) — a page of releases at a time, with a handful of set-based
 * queries per page (release-facts.ts). Commits stay `pending` for the git step
 * (environment-commits.ts). Returns the releases given facts.
 */
export async function backfillReleaseFacts(db: Kysely<Database>, pageSize = 400): Promise<string[]> {
  const done: string[] = [];
  let after = '';
  for (;;) {
    // Keyset pagination on the id: pages never overlap, whatever the facts written meanwhile.
    const page = await db
      .selectFrom('releases')
      .leftJoin('release_facts', 'release_facts.release_id', 'releases.id')
      .select('releases.id')
      .where('releases.status', 'in', [...ENDED_RELEASE])
      .where('release_facts.release_id', 'is', null)
      .where('releases.id', '>', after)
      .orderBy('releases.id')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return done;
    after = page[page.length - 1]?.id ?? after;
    const facts = await releaseFactsOf(
      db,
      page.map((r) => r.id),
    );
    await insertMissingReleaseFacts(db, facts);
    for (const fact of facts) done.push(fact.release_id);
  }
}
