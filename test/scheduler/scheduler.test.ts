/**
 * The scheduler fires a due schedule once — also when two ticks race, as with two servers on one
 * database — with the branch head as a cron event, then waits for the next slot. Runs and
 * sources are recording fakes: this is about the scheduler, not about running pipelines.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startScheduler, tickScheduler } from '../../src/server/scheduler/scheduler.js';
import { type FakeRuns, type FakeSources, fakeRuns, fakeSources } from '../support/recording-fakes.js';
import { startTestServer, type TestServer } from '../support/server.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const SHA = 'a'.repeat(40);

describe('scheduler', () => {
  let t: TestServer;
  let runs: FakeRuns;
  let sources: FakeSources;
  let projectId: string;

  before(async () => {
    t = await startTestServer();
    sources = fakeSources();
    t.server.ctx.sources = sources;
    const res = await t.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: 'nightly', source: { kind: 'builtin' } }),
    });
    projectId = ((await res.json()) as { id: string }).id;
    sources.branches.set('nightly', new Map([['main', SHA]]));
  });
  after(() => t.close());
  beforeEach(async () => {
    runs = fakeRuns();
    t.server.ctx.runs = runs;
    await t.server.ctx.db.deleteFrom('schedules').execute();
  });

  const addSchedule = async (cron: string, nextAt: number, branch = 'main') => {
    const id = randomUUID();
    await t.server.ctx.db
      .insertInto('schedules')
      .values({
        id,
        project_id: projectId,
        branch,
        cron,
        enabled: 1,
        next_at: nextAt,
        last_run_id: null,
        created_at: T0,
      })
      .execute();
    return id;
  };
  const row = (id: string) =>
    t.server.ctx.db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('a due schedule fires exactly once, as a cron run of the branch head', async () => {
    const id = await addSchedule('0 * * * *', T0);
    const notYet = await addSchedule('0 * * * *', T0 + 60_000);

    assert.equal(await tickScheduler(t.server.ctx, T0 + 5_000), 1);
    assert.equal(await tickScheduler(t.server.ctx, T0 + 10_000), 0, 'not again in the same slot');
    assert.equal(runs.created.length, 1);
    const input = runs.created[0]!;
    assert.equal(input.trigger, 'cron');
    assert.equal(input.actor, 'cron');
    assert.equal(input.project.name, 'nightly');
    assert.deepEqual(input.event.ref, { kind: 'branch', name: 'main' });
    assert.equal(input.event.kind, 'cron');
    assert.equal(input.event.sha, SHA);
    assert.equal(input.event.author, 'alice');

    const after = await row(id);
    assert.equal(after.next_at, T0 + 60 * 60_000, 'the next hour');
    assert.equal(after.last_run_id, 'run-1');
    assert.equal((await row(notYet)).last_run_id, null);
  });

  test('two racing ticks (two servers) fire it once', async () => {
    await addSchedule('*/5 * * * *', T0);
    const fired = await Promise.all([
      tickScheduler(t.server.ctx, T0 + 1_000),
      tickScheduler(t.server.ctx, T0 + 1_000),
      tickScheduler(t.server.ctx, T0 + 1_000),
    ]);
    assert.equal(
      fired.reduce((a, b) => a + b, 0),
      1,
    );
    assert.equal(runs.created.length, 1);
  });

  test('missed firings collapse into one, and the next is after now', async () => {
    const id = await addSchedule('*/5 * * * *', T0 - 24 * 60 * 60_000);
    assert.equal(await tickScheduler(t.server.ctx, T0 + 1_000), 1);
    assert.equal((await row(id)).next_at, T0 + 5 * 60_000);
  });

  test('a missing branch or a failing run creation is logged, not retried every tick, not fatal', async () => {
    const missing = await addSchedule('0 * * * *', T0, 'gone');
    const failing = await addSchedule('30 * * * *', T0);
    runs.failWith = new Error('database is locked');
    assert.equal(await tickScheduler(t.server.ctx, T0 + 1_000), 0);
    assert.equal((await row(missing)).next_at, T0 + 60 * 60_000);
    assert.equal((await row(failing)).next_at, T0 + 30 * 60_000);
    runs.failWith = null;
    assert.equal(await tickScheduler(t.server.ctx, T0 + 2_000), 0, 'waits for its next slot');
  });

  test('disabled schedules and invalid stored expressions never fire', async () => {
    const off = await addSchedule('* * * * *', T0);
    await t.server.ctx.db.updateTable('schedules').set({ enabled: 0 }).where('id', '=', off).execute();
    const broken = await addSchedule('every day', T0);
    assert.equal(await tickScheduler(t.server.ctx, T0 + 1_000), 0);
    assert.equal((await row(broken)).enabled, 0, 'disabled instead of failing on every tick');
    assert.equal(runs.created.length, 0);
  });

  test('startScheduler ticks on its own until stopped', async () => {
    await addSchedule('* * * * *', Date.now() - 1_000);
    const stop = startScheduler(t.server.ctx, { intervalMs: 20 });
    try {
      const deadline = Date.now() + 5_000;
      while (runs.created.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      stop();
    }
    assert.equal(runs.created.length, 1);
  });
});
