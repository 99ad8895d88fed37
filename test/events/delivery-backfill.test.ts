/**
 * Migration 012's backfill: events derived from the runs and jobs stored before the event log
 * existed (run.created, run.finished, job.finished), oldest first, readable as typed events.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import { readDeliveryEvents } from '../../src/server/events/delivery-event-log.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { backfill, type HistoryTables } from '../../src/server/store/migrations/012_delivery_events.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database } from '../../src/server/store/tables.js';
import { jobRow, projectRow, runRow } from '../support/rows.js';

test('the backfill derives run and job history, oldest first, as typed events', async () => {
  const db = openDatabase(
    `sqlite://${join(mkdtempSync(join(tmpdir(), 'slipway-backfill-')), 'slipway.db')}`,
  ) as Kysely<Database>;
  await migrateToLatest(db as never);
  const project = projectRow();
  await db.insertInto('projects').values(project).execute();
  const done = runRow({
    project_id: project.id,
    number: 1,
    status: 'failed',
    created_at: 100,
    started_at: 110,
    finished_at: 200,
  });
  const open = runRow({
    project_id: project.id,
    number: 2,
    status: 'running',
    created_at: 150,
    started_at: 160,
    finished_at: null,
  });
  await db.insertInto('runs').values([done, open]).execute();
  await db
    .insertInto('jobs')
    .values([
      jobRow({
        run_id: done.id,
        name: 'test',
        stage: 's',
        status: 'failed',
        started_at: 120,
        finished_at: 180,
      }),
      // Never ran: it ended with its run.
      jobRow({ run_id: done.id, name: 'ship', stage: 's', status: 'skipped', job_index: 1 }),
      jobRow({ run_id: open.id, name: 'test', stage: 's', status: 'running', started_at: 170 }),
    ])
    .execute();
  await backfill(db as unknown as Kysely<HistoryTables>);
  const events = await readDeliveryEvents(db);
  assert.deepEqual(
    events.map((e) => [e.type, e.runId, e.occurredAt]),
    [
      ['run.created', done.id, 100],
      ['run.created', open.id, 150],
      ['job.finished', done.id, 180],
      ['run.finished', done.id, 200],
      ['job.finished', done.id, 200],
    ],
  );
  const finished = events.find((e) => e.type === 'run.finished');
  assert.deepEqual(finished?.data, { number: 1, status: 'failed', startedAt: 110, finishedAt: 200 });
  await db.destroy();
});
