import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import { factFromRow, type InsightsFact } from './fact-row.js';

const CHUNK = 400;
/** Environments kept (least recently used dropped first): a few MB for long histories. */
const MAX_ENVIRONMENTS = 200;

/**
 * The parsed facts of each environment's releases, kept between insights requests: reading and
 * parsing the rows was most of the cost of a summary (2,000 releases for a year). Facts change
 * only when the insights follow-up writes them, and it calls `invalidate` after each write (the
 * release-ended events of the delivery event bus drive it), so a cached list is never behind
 * the table. A load that overlaps an invalidation is used once and not kept.
 */
export class InsightsFactCache {
  private readonly byEnvironment = new Map<string, InsightsFact[]>();
  private generation = 0;
  /** Environments answered from memory / read from the table, since the server started. */
  private hits = 0;
  private loads = 0;

  /** How often the cache answered and how often it read the table (observability and tests). */
  stats(): { hits: number; loads: number; environments: number } {
    return { hits: this.hits, loads: this.loads, environments: this.byEnvironment.size };
  }

  /** Forgets one environment's facts (after a write), or every environment's. */
  invalidate(environmentId?: string): void {
    this.generation++;
    if (environmentId === undefined) this.byEnvironment.clear();
    else this.byEnvironment.delete(environmentId);
  }

  /** Facts of `environmentIds` that ended in [from, to), each environment's by end time. */
  async factsOf(
    db: Kysely<Database>,
    environmentIds: readonly string[],
    from: number,
    to: number,
  ): Promise<InsightsFact[]> {
    const missing = environmentIds.filter((id) => !this.byEnvironment.has(id));
    this.hits += environmentIds.length - missing.length;
    this.loads += missing.length;
    const loaded = new Map<string, InsightsFact[]>(missing.map((id) => [id, []]));
    const generation = this.generation;
    for (let i = 0; i < missing.length; i += CHUNK) {
      const rows = await db
        .selectFrom('release_facts')
        .selectAll()
        .where('environment_id', 'in', missing.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) loaded.get(row.environment_id)?.push(factFromRow(row));
    }
    for (const list of loaded.values()) list.sort((a, b) => a.ended_at - b.ended_at);
    const facts: InsightsFact[] = [];
    for (const id of environmentIds) {
      const list = this.byEnvironment.get(id) ?? loaded.get(id) ?? [];
      if (generation === this.generation) this.remember(id, list);
      facts.push(...list.slice(firstAtOrAfter(list, from), firstAtOrAfter(list, to)));
    }
    return facts;
  }

  private remember(id: string, list: InsightsFact[]): void {
    // Re-inserting moves the environment to the end: the first key is the least recently used.
    this.byEnvironment.delete(id);
    this.byEnvironment.set(id, list);
    if (this.byEnvironment.size > MAX_ENVIRONMENTS) {
      const oldest = this.byEnvironment.keys().next().value;
      if (oldest !== undefined) this.byEnvironment.delete(oldest);
    }
  }
}

/** Index of the first fact ending at or after `t` (binary search over end times). */
function firstAtOrAfter(list: readonly InsightsFact[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as InsightsFact).ended_at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
