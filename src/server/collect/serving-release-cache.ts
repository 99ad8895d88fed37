import type { Kysely } from 'kysely';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { Database } from '../store/tables.js';

interface Served {
  releaseId: string;
  finishedAt: number;
}

/**
 * Which release served an environment at a moment, for attributing behaviour events: the latest
 * release of the environment with status succeeded whose finished_at ≤ the moment (a later
 * rollback is a new release, so it counts as the serving one from its own end). Same definition
 * as the impact card's (src/server/impact/serving-release.ts).
 *
 * The endpoint asks for every event, so each environment's succeeded releases are read once and
 * kept; a release event of that environment on the delivery bus drops the entry, and the next
 * event reads it again.
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
    // Binary search for the last release that had finished by `moment`.
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
    const rows = await this.db
      .selectFrom('releases')
      .select(['id', 'finished_at'])
      .where('environment_id', '=', environmentId)
      .where('status', '=', 'succeeded')
      .where('finished_at', 'is not', null)
      .orderBy('finished_at')
      .orderBy('number')
      .execute();
    return rows.map((r) => ({ releaseId: r.id, finishedAt: Number(r.finished_at) }));
  }
}
