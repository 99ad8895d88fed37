import type { Kysely } from 'kysely';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { DeliveryEventType, StoredDeliveryEvent } from '../events/delivery-events.js';
import type { EventBus } from '../services.js';
import type { Database } from '../store/tables.js';

/** Delivery events that change what a release shows (status, or waiting for approval). */
const RELEASE_CHANGES = [
  'release.started',
  'release.succeeded',
  'release.failed',
  'release.rolled_back',
  'release.canceled',
  'approval.requested',
  'approval.granted',
] as const satisfies readonly DeliveryEventType[];

type ReleaseChange = (typeof RELEASE_CHANGES)[number];

/** What the `release` project event carries: enough for a page to know which release moved. */
export interface ReleaseEventData {
  /** The delivery event it mirrors, e.g. `release.succeeded`, `approval.requested`. */
  change: ReleaseChange;
  application: string;
  environment: string;
  /** The release's number within its application. */
  release: number;
}

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
    RELEASE_CHANGES,
  );
}

function isReleaseChange(
  event: StoredDeliveryEvent,
): event is Extract<StoredDeliveryEvent, { type: ReleaseChange }> {
  return (RELEASE_CHANGES as readonly string[]).includes(event.type);
}
