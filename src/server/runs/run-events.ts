import type { Kysely } from 'kysely';
import { waitingReasons } from '../queue/waiting-reason.js';
import type { EventBus } from '../services.js';
import type { Database, JobRow, RunRow } from '../store/tables.js';
import { toJobJson, toRunSummary } from './run-json.js';
import { jobsInPlanOrder, runById } from './run-queries.js';

export interface RunView {
  run: RunRow;
  projectName: string;
  jobs: JobRow[];
}

/** A run with its project's name and its jobs in plan order; null when it does not exist. */
export async function loadRunView(db: Kysely<Database>, runId: string): Promise<RunView | null> {
  const run = await runById(db, runId);
  if (!run) return null;
  const project = await db
    .selectFrom('projects')
    .select('name')
    .where('id', '=', run.project_id)
    .executeTakeFirst();
  const jobs = await jobsInPlanOrder(db, runId);
  return { run, projectName: project?.name ?? '', jobs };
}

/** What a queued run's `waiting` reason is judged with (agents seen within the lease timeout). */
export interface WaitingClock {
  now: number;
  leaseTimeoutMs: number;
}

/**
 * Publishes what changed, read back from the database after the change committed, so
 * subscribers see exactly what the API would return: one `job` event per changed job, then the
 * run summary (whose stage icons depend on the jobs). With `waiting`, a queued run's summary
 * carries why no agent takes it, as the REST answer does — a browser following the run live
 * must not see a silent "queued" where a reload would show "no agent with labels …".
 */
export async function publishRunChange(
  db: Kysely<Database>,
  events: EventBus,
  runId: string,
  changedJobs: readonly string[] | 'all',
  waiting?: WaitingClock,
): Promise<void> {
  const view = await loadRunView(db, runId);
  if (!view) return;
  const { run, projectName, jobs } = view;
  const base = { projectId: run.project_id, runId: run.id, number: run.number };
  for (const job of jobs) {
    if (changedJobs === 'all' || changedJobs.includes(job.name)) {
      events.publish({ ...base, type: 'job', data: toJobJson(job) });
    }
  }
  const summary = toRunSummary(run, projectName, jobs);
  const reason =
    waiting && run.status === 'queued'
      ? (await waitingReasons(db, [run.id], waiting.now, waiting.leaseTimeoutMs)).get(run.id)
      : undefined;
  events.publish({ ...base, type: 'run', data: reason ? { ...summary, waiting: reason } : summary });
}
