import type { Kysely } from 'kysely';
import { RELEASE_CHANGES, type ReleaseChange, type ReleaseEventData } from '../../api/events.js';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { DeliveryEventType, StoredDeliveryEvent } from '../events/delivery-events.js';
import type { EventBus } from '../services.js';
import type { Database } from '../store/tables.js';

// The release changes are a public list (src/api/events.ts); typed here as what they subscribe
// to, so a change that is not a delivery event type does not compile.
const SUBSCRIBED: readonly DeliveryEventType[] = RELEASE_CHANGES;

export type { ReleaseEventData };

export interface ReleaseLiveDeps {
  db: Kysely<Database>;
  events: EventBus;
}

/**
 * Mirrors release changes onto the project's live event stream (`event: release`). They are
 * recorded with the release row's change and dispatched after its commit, so a page that
 * re-reads its releases on this event sees the new state — the deploy run's own run and job
 * events can arrive before the release row has changed. Returns the unsubscribe function.
 */
export function publishReleaseChanges(bus: DeliveryEventBus, deps: ReleaseLiveDeps): () => void {
  return bus.subscribe(
    'release-live-events',
    async (event) => {
      if (!isReleaseChange(event)) return;
      const names = await deps.db
        .selectFrom('environments')
        .innerJoin('applications', 'applications.id', 'environments.application_id')
        .select(['applications.name as application', 'environments.name as environment'])
        .where('environments.id', '=', event.data.environmentId)
        .executeTakeFirst();
      // An application deleted since: no page shows it any more.
      if (!names) return;
      const run = event.runId
        ? await deps.db.selectFrom('runs').select('number').where('id', '=', event.runId).executeTakeFirst()
        : undefined;
      const data: ReleaseEventData = { change: event.type, ...names, release: event.data.number };
      deps.events.publish({
        type: 'release',
        projectId: event.projectId,
        runId: event.runId ?? '',
        number: run?.number ?? 0,
        data,
      });
    },
    SUBSCRIBED,
  );
}

function isReleaseChange(
  event: StoredDeliveryEvent,
): event is Extract<StoredDeliveryEvent, { type: ReleaseChange }> {
  return (RELEASE_CHANGES as readonly string[]).includes(event.type);
}
