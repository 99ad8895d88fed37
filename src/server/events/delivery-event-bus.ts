import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/tables.js';
import { appendDeliveryEvents } from './delivery-event-log.js';
import type { DeliveryEvent, DeliveryEventType, StoredDeliveryEvent } from './delivery-events.js';

export type DeliveryEventHandler = (event: StoredDeliveryEvent) => Promise<void> | void;

interface Subscriber {
  name: string;
  types: ReadonlySet<DeliveryEventType> | null;
  handler: DeliveryEventHandler;
  /** The subscriber's queue: each event is handled after the previous one settled. */
  tail: Promise<void>;
}

export interface DeliveryBusLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * The typed, in-process bus of delivery domain events (delivery-events.ts): the one way work that
 * follows a run, a job or a release (the image catalogue, release tracking, auto releases, later
 * insights and notifications) learns what happened. It is separate from the SSE EventBus
 * (event-bus.ts) on purpose: that one fans out *views* (run summaries, job rows) to browsers, is
 * fire-and-forget and may drop; this one carries *facts* that were committed and persisted, to
 * subscribers that must act on each of them exactly in order.
 *
 * Lifecycle of an event:
 * - Emitted only after the commit that made it true: writers go through `transact`, which
 *   inserts the events into `delivery_events` inside the writer's transaction (the outbox) and
 *   dispatches them once the transaction committed. A rolled-back transaction stores nothing
 *   and dispatches nothing.
 * - Ordering: each subscriber sees events one at a time, in dispatch order; the events of one
 *   transaction in the order they were recorded. Two transactions' events are dispatched in the
 *   order their commits returned in this process (on SQLite that is also `id` order).
 * - Subscribers run asynchronously from the writer: a subscriber that throws (or rejects) is
 *   logged with its name and the event, and neither the other subscribers, its own next events
 *   nor the emitter are affected. `dispatch` resolves when every subscriber has handled the
 *   events (so an agent's report is answered after its follow-ups, which gives backpressure)
 *   and never rejects. A handler must not await the dispatch of an event it itself receives
 *   (it would wait for itself).
 * - Shutdown: `close()` stops accepting dispatches and waits until every queued event has been
 *   handled (drain). Events committed but not yet dispatched when the process dies stay in
 *   `delivery_events`; they are not replayed automatically (see the README, Operations):
 *   subscribers are idempotent, so a replay from the table is safe except for auto releases.
 */
export class DeliveryEventBus {
  private readonly subscribers: Subscriber[] = [];
  private closed = false;

  constructor(private readonly log: DeliveryBusLog) {}

  /** Handles every event of `types` (all events when omitted); returns an unsubscribe function. */
  subscribe(name: string, handler: DeliveryEventHandler, types?: readonly DeliveryEventType[]): () => void {
    const subscriber: Subscriber = {
      name,
      types: types ? new Set(types) : null,
      handler,
      tail: Promise.resolve(),
    };
    this.subscribers.push(subscriber);
    return () => {
      const at = this.subscribers.indexOf(subscriber);
      if (at >= 0) this.subscribers.splice(at, 1);
    };
  }

  /**
   * Runs `work` in one transaction; the events it `record`s are stored with its changes and
   * dispatched after the commit (nothing when it throws and rolls back). Returns work's result.
   */
  async transact<T>(
    db: Kysely<Database>,
    now: () => number,
    work: (trx: Transaction<Database>, record: (event: DeliveryEvent) => void) => Promise<T>,
  ): Promise<T> {
    const { result, stored } = await db.transaction().execute(async (trx) => {
      const events: DeliveryEvent[] = [];
      const result = await work(trx, (event) => events.push(event));
      return { result, stored: await appendDeliveryEvents(trx, events, now()) };
    });
    await this.dispatch(stored);
    return result;
  }

  /** Hands committed events to their subscribers; see the class comment for the guarantees. */
  dispatch(events: readonly StoredDeliveryEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.closed) {
      // Stored already: only the live follow-up is lost, and the log says which.
      this.log.warn({ events: events.map((e) => e.id) }, 'delivery events after shutdown not dispatched');
      return Promise.resolve();
    }
    const waits: Promise<void>[] = [];
    for (const subscriber of this.subscribers) {
      const mine = events.filter((e) => !subscriber.types || subscriber.types.has(e.type));
      // Only the queues that got an event are waited for: a handler emitting events it does not
      // receive itself (images → image.pushed) must not wait for its own queue.
      if (mine.length === 0) continue;
      for (const event of mine) subscriber.tail = subscriber.tail.then(() => this.handle(subscriber, event));
      waits.push(subscriber.tail);
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Resolves when every event dispatched so far has been handled. */
  async drain(): Promise<void> {
    // A handler may dispatch more while we wait: loop until the queues stood still.
    for (;;) {
      const tails = this.subscribers.map((s) => s.tail);
      await Promise.all(tails);
      if (this.subscribers.every((s, i) => s.tail === tails[i])) return;
    }
  }

  /** Stops accepting events and drains the queues. Idempotent. */
  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }

  private async handle(subscriber: Subscriber, event: StoredDeliveryEvent): Promise<void> {
    try {
      await subscriber.handler(event);
    } catch (error) {
      this.log.error(
        { err: error, subscriber: subscriber.name, event: event.id, type: event.type },
        'delivery event subscriber failed',
      );
    }
  }
}
