/**
 * The delivery event bus contract (src/server/events/delivery-event-bus.ts) on a real, migrated
 * SQLite database: events are stored with the transaction that made them true and dispatched
 * after its commit (nothing when it rolls back), each subscriber sees them in order, a failing
 * subscriber is logged and isolated, and close() drains. Also: the migration's backfill.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { DeliveryEventBus } from '../../src/server/events/delivery-event-bus.js';
import { readDeliveryEvents } from '../../src/server/events/delivery-event-log.js';
import type { DeliveryEvent, StoredDeliveryEvent } from '../../src/server/events/delivery-events.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database } from '../../src/server/store/tables.js';

async function freshDb(): Promise<Kysely<Database>> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-events-'));
  const db = openDatabase(`sqlite://${join(dir, 'slipway.db')}`);
  await migrateToLatest(db as never);
  return db;
}

function recordingLog() {
  const errors: { obj: object; msg: string }[] = [];
  return { errors, error: (obj: object, msg: string) => errors.push({ obj, msg }), warn: () => {} };
}

function runFinished(runId: string, number: number): DeliveryEvent {
  return {
    type: 'run.finished',
    projectId: 'p1',
    runId,
    releaseId: null,
    data: { number, status: 'succeeded', startedAt: 1, finishedAt: 2 },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('delivery event bus', () => {
  test('events are stored with the transaction and dispatched after its commit, in order', async () => {
    const db = await freshDb();
    const bus = new DeliveryEventBus(recordingLog());
    const seen: { id: number; storedWhenHandled: number }[] = [];
    bus.subscribe('slow', async (event) => {
      // A slow first event must not let the second overtake it.
      if (event.runId === 'r1') for (let i = 0; i < 5; i++) await tick();
      const rows = await db.selectFrom('delivery_events').select('id').where('id', '=', event.id).execute();
      seen.push({ id: event.id, storedWhenHandled: rows.length });
    });
    await bus.transact(
      db,
      () => 1000,
      async (_trx, record) => {
        record(runFinished('r1', 1));
        record(runFinished('r2', 2));
      },
    );
    await bus.transact(
      db,
      () => 1001,
      async (_trx, record) => record(runFinished('r3', 3)),
    );
    const stored = await readDeliveryEvents(db);
    assert.deepEqual(
      stored.map((e) => [e.type, e.runId, e.occurredAt]),
      [
        ['run.finished', 'r1', 1000],
        ['run.finished', 'r2', 1000],
        ['run.finished', 'r3', 1001],
      ],
    );
    assert.deepEqual(
      seen,
      stored.map((e) => ({ id: e.id, storedWhenHandled: 1 })),
      'each event handled once, in order, and only once its row was committed',
    );
    await db.destroy();
  });

  test('a rolled-back transaction stores and emits nothing', async () => {
    const db = await freshDb();
    const bus = new DeliveryEventBus(recordingLog());
    const seen: StoredDeliveryEvent[] = [];
    bus.subscribe('all', (event) => {
      seen.push(event);
    });
    await assert.rejects(
      bus.transact(
        db,
        () => 1,
        async (_trx, record) => {
          record(runFinished('r1', 1));
          throw new Error('the change failed');
        },
      ),
      /the change failed/,
    );
    await bus.drain();
    assert.deepEqual(seen, []);
    assert.deepEqual(await readDeliveryEvents(db), []);
    await db.destroy();
  });

  test('a failing subscriber is logged and affects neither the others, its next events nor the emitter', async () => {
    const db = await freshDb();
    const log = recordingLog();
    const bus = new DeliveryEventBus(log);
    const good: string[] = [];
    const flaky: string[] = [];
    bus.subscribe('flaky', (event) => {
      if (event.runId === 'r1') throw new Error('subscriber broke');
      flaky.push(event.runId ?? '');
    });
    bus.subscribe('good', (event) => {
      good.push(event.runId ?? '');
    });
    const result = await bus.transact(
      db,
      () => 1,
      async (_trx, record) => {
        record(runFinished('r1', 1));
        return 'committed';
      },
    );
    assert.equal(result, 'committed', 'the emitter is unaffected');
    await bus.transact(
      db,
      () => 2,
      async (_trx, record) => record(runFinished('r2', 2)),
    );
    assert.deepEqual(good, ['r1', 'r2']);
    assert.deepEqual(flaky, ['r2'], 'the failing subscriber still gets its next event');
    assert.equal(log.errors.length, 1);
    assert.equal((log.errors[0]?.obj as { subscriber?: string } | undefined)?.subscriber, 'flaky');
    await db.destroy();
  });

  test('subscribers only get the types they asked for; close() drains, later dispatches are not handled', async () => {
    const db = await freshDb();
    const bus = new DeliveryEventBus(recordingLog());
    const handled: string[] = [];
    bus.subscribe(
      'jobs',
      async (event) => {
        for (let i = 0; i < 3; i++) await tick();
        handled.push(event.type);
      },
      ['job.finished'],
    );
    const pending = bus.transact(
      db,
      () => 1,
      async (_trx, record) => {
        record(runFinished('r1', 1));
        record({
          type: 'job.finished',
          projectId: 'p1',
          runId: 'r1',
          releaseId: null,
          data: { job: 'build', status: 'succeeded', startedAt: 1, finishedAt: 2, report: null },
        });
      },
    );
    await pending;
    await bus.close();
    assert.deepEqual(handled, ['job.finished']);
    await bus.transact(
      db,
      () => 3,
      async (_trx, record) => record(runFinished('r2', 2)),
    );
    assert.equal((await readDeliveryEvents(db)).length, 3, 'stored even after close; only not dispatched');
    await db.destroy();
  });
});
