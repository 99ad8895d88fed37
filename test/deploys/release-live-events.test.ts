/**
 * Release changes reach the project's live event stream (deploys/release-live-events.ts): a
 * release delivery event, recorded in a transaction of a real migrated SQLite database and
 * dispatched after its commit, becomes one `release` ProjectEvent naming the application,
 * environment, release number and the deploy run's number; other delivery events do not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { publishReleaseChanges } from '../../src/server/deploys/release-live-events.js';
import { DeliveryEventBus } from '../../src/server/events/delivery-event-bus.js';
import type { DeliveryEvent } from '../../src/server/events/delivery-events.js';
import { InMemoryEventBus } from '../../src/server/events/event-bus.js';
import type { ProjectEvent } from '../../src/server/services.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { environmentRow, projectRow, runRow } from '../support/rows.js';

test('a release change is published on its project stream once committed, with names and numbers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-release-live-'));
  const db = openDatabase(`sqlite://${join(dir, 'slipway.db')}`);
  const deliveries = new DeliveryEventBus({ error: () => {}, warn: () => {} });
  try {
    await migrateToLatest(db as never);
    const project = projectRow();
    const run = runRow({ project_id: project.id, number: 7, trigger: 'manual' });
    await db.insertInto('projects').values(project).execute();
    await db.insertInto('runs').values(run).execute();
    await db
      .insertInto('applications')
      .values({ id: 'a1', project_id: project.id, name: 'web', created_at: 0 })
      .execute();
    await db
      .insertInto('environments')
      .values(environmentRow({ id: 'e1', application_id: 'a1', name: 'staging' }))
      .execute();

    const events = new InMemoryEventBus();
    const seen: ProjectEvent[] = [];
    events.subscribe(project.id, (e) => seen.push(e));
    publishReleaseChanges(deliveries, { db, events });

    const release = (type: 'release.succeeded' | 'approval.requested'): DeliveryEvent => ({
      type,
      projectId: project.id,
      runId: run.id,
      releaseId: 'r1',
      data: {
        number: 3,
        applicationId: 'a1',
        environmentId: 'e1',
        image: 'web:1',
        trigger: 'manual',
        reason: null,
      },
    });
    await deliveries.transact(db, Date.now, async (_trx, record) => {
      record(release('approval.requested'));
      // Not a release change: nothing on the stream for it.
      record({
        type: 'run.finished',
        projectId: project.id,
        runId: run.id,
        releaseId: null,
        data: { number: 7, status: 'succeeded', startedAt: 1, finishedAt: 2 },
      });
      record(release('release.succeeded'));
      // Nothing is dispatched before the commit.
      assert.equal(seen.length, 0);
    });
    await deliveries.close();

    assert.deepEqual(
      seen.map((e) => ({ type: e.type, runId: e.runId, number: e.number, data: e.data })),
      ['approval.requested', 'release.succeeded'].map((change) => ({
        type: 'release',
        runId: run.id,
        number: 7,
        data: { change, application: 'web', environment: 'staging', release: 3 },
      })),
    );
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
