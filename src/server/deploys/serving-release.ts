import type { Kysely } from 'kysely';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { Database, ReleaseRow } from '../store/tables.js';

/**
 * Which release serves an environment — now, or at a moment. One rule for everyone (the
 * environment view, promote and rollback, release impact, behaviour events): the latest release
 * of the environment with status succeeded whose finished_at ≤ the moment; ties go to the higher
 * number. A rollback is a new release, so after a rollback the rollback release serves; a
 * release that finished last serves, whatever its number.
 */
function succeeded(db: Kysely<Database>, environmentId: string) {
  return db
    .selectFrom('releases')
    .where('environment_id', '=', environmentId)
    .where('status', '=', 'succeeded')
    .where('finished_at', 'is not', null);
}

export async function servingReleaseAt(
  db: Kysely<Database>,
  environmentId: string,
  at: number,
): Promise<ReleaseRow | null> {
  const row = await succeeded(db, environmentId)
    .selectAll()
    .where('finished_at', '<=', at)
    .orderBy('finished_at', 'desc')
    .orderBy('number', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

/** The release serving the environment now (null: nothing ever succeeded there). */
export async function servingReleaseNow(
  db: Kysely<Database>,
  environmentId: string,
): Promise<ReleaseRow | null> {
  const row = await succeeded(db, environmentId)
    .selectAll()
    .orderBy('finished_at', 'desc')
    .orderBy('number', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

/** When a release began to roll out (its run started), else when it was asked for. */
export function rolloutStart(release: Pick<ReleaseRow, 'started_at' | 'created_at'>): number {
  return release.started_at ?? release.created_at;
}

/**
 * The release that served the environment just before `release` began to roll out: the
 * baseline its impact is measured against. Null for an environment's first release.
 */
export async function previousServingRelease(
  db: Kysely<Database>,
  release: ReleaseRow,
): Promise<ReleaseRow | null> {
  // The rule at the moment the rollout began, minus the release itself.
  const row = await succeeded(db, release.environment_id)
    .selectAll()
    .where('finished_at', '<=', rolloutStart(release))
    .where('id', '!=', release.id)
    .orderBy('finished_at', 'desc')
    .orderBy('number', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

interface Served {
  releaseId: string;
  finishedAt: number;
}

/**
 * The same rule for behaviour events, which ask for every event: each environment's succeeded
 * releases are read once (in serving order) and kept; a release event of that environment on
 * the delivery bus drops the entry, and the next event reads it again.
 */
export class ServingReleaseCache {
  private readonly byEnvironment = new Map<string, Promise<Served[]>>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Subscribes to release events; returns the unsubscribe function. */
  follow(bus: DeliveryEventBus): () => void {
    return bus.subscribe(
      'collect-serving-release',
      (event) => {
        if ('environmentId' in event.data) this.byEnvironment.delete(event.data.environmentId);
      },
      ['release.succeeded', 'release.rolled_back', 'release.failed', 'release.canceled', 'release.started'],
    );
  }

  async at(environmentId: string, moment: number): Promise<string | null> {
    let served = this.byEnvironment.get(environmentId);
    if (!served) {
      served = this.load(environmentId);
      this.byEnvironment.set(environmentId, served);
      served.catch(() => this.byEnvironment.delete(environmentId));
    }
    const list = await served;
    // Binary search for the last release that had finished by `moment` (ties: the higher number).
    let lo = 0;
    let hi = list.length - 1;
    let found: Served | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const item = list[mid] as Served;
      if (item.finishedAt <= moment) {
        found = item;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found?.releaseId ?? null;
  }

  private async load(environmentId: string): Promise<Served[]> {
    const rows = await succeeded(this.db, environmentId)
      .select(['id', 'finished_at'])
      .orderBy('finished_at')
      .orderBy('number')
      .execute();
    return rows.map((r) => ({ releaseId: r.id, finishedAt: Number(r.finished_at) }));
  }
}
