import type { Kysely } from 'kysely';
import { autoIncrementKey } from '../dialect.js';

/**
 * Delivery events (issue #12): the append-only log of what happened to runs, jobs, images and
 * releases (src/server/events/delivery-events.ts), written in the same transaction as the change
 * and dispatched to subscribers after the commit. `id` is the insertion order; `payload` is the
 * event's data as JSON text. No foreign keys: history outlives what it talks about.
 *
 * Backfill: events are derived from the runs, jobs and releases already stored, so metrics have
 * history from day one. It is written here with plain rows (not the server's event code) so this
 * migration stays what it was when later versions change that code. Derived events carry no agent
 * report (`report: null`) and are inserted oldest first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('delivery_events')
    .addColumn('id', ...autoIncrementKey(db))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('release_id', 'text')
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('delivery_events_project_at')
    .on('delivery_events')
    .columns(['project_id', 'occurred_at'])
    .execute();
  await db.schema.createIndex('delivery_events_run').on('delivery_events').column('run_id').execute();
  await backfill(db as Kysely<HistoryTables>);
}

const TERMINAL = ['succeeded', 'failed', 'canceled', 'skipped'];
const RELEASE_ENDS: Record<string, string> = {
  succeeded: 'release.succeeded',
  failed: 'release.failed',
  rolled_back: 'release.rolled_back',
  canceled: 'release.canceled',
};
const BATCH = 200;

interface EventRow {
  type: string;
  project_id: string;
  run_id: string | null;
  release_id: string | null;
  occurred_at: number;
  payload: string;
}

export interface HistoryTables {
  delivery_events: EventRow;
  runs: {
    id: string;
    project_id: string;
    number: number;
    trigger: string;
    ref_name: string;
    sha: string;
    status: string;
    created_at: number;
    started_at: number | null;
    finished_at: number | null;
  };
  jobs: {
    run_id: string;
    name: string;
    status: string;
    started_at: number | null;
    finished_at: number | null;
  };
  releases: {
    id: string;
    application_id: string;
    environment_id: string;
    number: number;
    image: string | null;
    trigger: string;
    status: string;
    reason: string | null;
    release_run_id: string | null;
    started_at: number | null;
    finished_at: number | null;
  };
  applications: { id: string; project_id: string };
}

/** Exported for its test; the migration is its only other caller. */
export async function backfill(db: Kysely<HistoryTables>): Promise<void> {
  const events: EventRow[] = [];
  const runs = await db.selectFrom('runs').selectAll().execute();
  const projectOfRun = new Map<string, string>();
  const runEnd = new Map<string, number | null>();
  for (const run of runs) {
    projectOfRun.set(run.id, run.project_id);
    runEnd.set(run.id, run.finished_at);
    const at = { project_id: run.project_id, run_id: run.id, release_id: null };
    events.push({
      ...at,
      type: 'run.created',
      occurred_at: Number(run.created_at),
      payload: JSON.stringify({
        number: run.number,
        status: run.status,
        trigger: run.trigger,
        ref: run.ref_name,
        sha: run.sha,
      }),
    });
    if (TERMINAL.includes(run.status) && run.finished_at !== null) {
      events.push({
        ...at,
        type: 'run.finished',
        occurred_at: Number(run.finished_at),
        payload: JSON.stringify({
          number: run.number,
          status: run.status,
          startedAt: run.started_at === null ? null : Number(run.started_at),
          finishedAt: Number(run.finished_at),
        }),
      });
    }
  }
  const jobs = await db.selectFrom('jobs').selectAll().where('status', 'in', TERMINAL).execute();
  for (const job of jobs) {
    const projectId = projectOfRun.get(job.run_id);
    // A skipped job never ran and has no time of its own: it ended with its run.
    const end = job.finished_at ?? runEnd.get(job.run_id) ?? null;
    if (!projectId || end === null) continue;
    events.push({
      type: 'job.finished',
      project_id: projectId,
      run_id: job.run_id,
      release_id: null,
      occurred_at: Number(end),
      payload: JSON.stringify({
        job: job.name,
        status: job.status,
        startedAt: job.started_at === null ? null : Number(job.started_at),
        finishedAt: job.finished_at === null ? null : Number(job.finished_at),
        report: null,
      }),
    });
  }
  const releases = await db
    .selectFrom('releases')
    .innerJoin('applications', 'applications.id', 'releases.application_id')
    .selectAll('releases')
    .select('applications.project_id')
    .execute();
  for (const r of releases) {
    const base = { project_id: r.project_id, run_id: r.release_run_id, release_id: r.id };
    const payload = JSON.stringify({
      number: r.number,
      applicationId: r.application_id,
      environmentId: r.environment_id,
      image: r.image,
      trigger: r.trigger,
      reason: r.reason,
    });
    if (r.started_at !== null) {
      events.push({ ...base, type: 'release.started', occurred_at: Number(r.started_at), payload });
    }
    const end = RELEASE_ENDS[r.status];
    if (end && r.finished_at !== null) {
      events.push({ ...base, type: end, occurred_at: Number(r.finished_at), payload });
    }
  }
  // Oldest first, so `id` order is history order for what was there before the log existed.
  events.sort((a, b) => a.occurred_at - b.occurred_at);
  for (let i = 0; i < events.length; i += BATCH) {
    await db
      .insertInto('delivery_events')
      .values(events.slice(i, i + BATCH))
      .execute();
  }
}
