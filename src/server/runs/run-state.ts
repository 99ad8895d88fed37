import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import { isTerminal, type Status } from '../../domain/status.js';
import type { JobResultMessage, RunFinishMessage } from '../../protocol/agent-protocol.js';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { DeliveryEvent } from '../events/delivery-events.js';
import type { EventBus, RunState } from '../services.js';
import { forUpdateOnPostgres } from '../store/dialect.js';
import type { Database, JobRow, RunRow } from '../store/tables.js';
import { withLostAttempt, withReportedAttempts } from './job-retries.js';
import { skipBlockedManualJobs } from './manual-gate.js';
import { storedParams } from './reason-params.js';
import { publishRunChange } from './run-events.js';
import { type JobPatch, jobByName, jobsInPlanOrder, updateJob } from './run-queries.js';
import { finalRunStatus, runFailure } from './run-status.js';
import { reservedJobs } from './selection.js';

type Trx = Transaction<Database>;

const terminal = (status: string) => isTerminal(status as Status);
const CANCELED_SKIP = { skip_code: 'run_canceled', skip_message: 'the run was canceled' } as const;

/**
 * The single writer of run and job state after creation (the queue calls it with what agents
 * report). Each method changes the rows in one transaction that also records the delivery events
 * it made true (job.started, job.finished, run.finished: what images and releases follow), then
 * publishes what changed, read back from the database, and the events (after the commit). Terminal jobs and runs never move again, so late or repeated reports
 * (a retried request, an agent that was already declared lost) are ignored.
 */
export class DbRunState implements RunState {
  constructor(
    readonly deps: {
      db: Kysely<Database>;
      events: EventBus;
      deliveries: DeliveryEventBus;
      now: () => number;
      /** Set: a run put back in the queue is published with its `waiting` reason, if any. */
      leaseTimeoutMs?: number;
    },
  ) {}

  async runStarted(runId: string): Promise<void> {
    const result = await this.deps.db
      .updateTable('runs')
      .set({
        status: 'running',
        started_at: sql<number>`coalesce(started_at, ${this.deps.now()})`,
        finished_at: null,
      })
      .where('id', '=', runId)
      .where('status', 'in', ['queued', 'pending', 'manual'])
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) await this.publish(runId, []);
  }

  async jobUpdate(runId: string, job: JobResultMessage): Promise<void> {
    // An execution reports every job of the plan at its start: jobs outside its selection as
    // not_selected, the others as pending/manual. The database already knows those states (it
    // planned them, and a played job is pending here while the agent's plan says manual), so
    // only progress — running, or an end — is taken from the agent.
    if (job.skip?.code === 'not_selected') return;
    if (job.status !== 'running' && !terminal(job.status)) return;
    const changed = await this.transact(async (trx, record) => {
      const run = await unfinishedRun(trx, runId);
      if (!run) return false;
      const patched = await patchJob(trx, runId, job.name, (row) =>
        terminal(row.status)
          ? null
          : {
              status: job.status,
              failure_reason: job.failure?.reason ?? null,
              failure_message: job.failure?.message ?? null,
              failure_params: storedParams(job.failure?.params),
              skip_code: job.skip?.code ?? null,
              skip_message: job.skip?.message ?? null,
              skip_params: storedParams(job.skip?.params),
              exit_code: job.exitCode,
              started_at: job.startedAt ?? row.started_at,
              finished_at: job.finishedAt,
              // `allow_failure: {exit_codes}` is decided when the job ends (runtime/job-flow.ts).
              ...(terminal(job.status) ? { allow_failure: job.allowFailure ? 1 : 0 } : {}),
              ...(job.attempts ? { retries: withReportedAttempts(row.retries, job.attempts) } : {}),
            },
      );
      if (!patched) return false;
      const ref = { projectId: run.project_id, runId, releaseId: null };
      record(
        job.status === 'running'
          ? { type: 'job.started', ...ref, data: { job: job.name, report: job } }
          : {
              type: 'job.finished',
              ...ref,
              data: {
                job: job.name,
                status: job.status,
                startedAt: job.startedAt,
                finishedAt: job.finishedAt,
                report: job,
              },
            },
      );
      // A job report means the execution runs, even if runStarted was lost or comes later.
      if (run.status !== 'running') await markRunning(trx, runId, this.deps.now());
      return true;
    });
    if (changed) await this.publish(runId, [job.name]);
  }

  async runFinished(runId: string, result: RunFinishMessage): Promise<void> {
    const now = this.deps.now();
    const changed = await this.transact(async (trx, record) => {
      const run = await unfinishedRun(trx, runId);
      if (!run) return null;
      const canceled = result.status === 'canceled' || (await cancelWasRequested(trx, runId));
      // Jobs another queued execution will run (a job played while this one ran) are not ours.
      const reserved = await reservedJobs(trx, runId);
      const jobs = await jobsInPlanOrder(trx, runId);
      const touched: string[] = [];
      for (const job of jobs) {
        if (terminal(job.status) || reserved.has(job.name)) continue;
        const patch = leftoverPatch(job, canceled, result.error, now);
        if (!patch) continue;
        Object.assign(job, patch);
        await updateJob(trx, runId, job.name, patch);
        touched.push(job.name);
        record(jobFinished(run, job));
      }
      // A manual job after a failure can no longer be played (manual-gate.ts): say so in the record.
      if (!canceled) {
        for (const job of await skipBlockedManualJobs(trx, runId, jobs, reserved)) {
          touched.push(job.name);
          record(jobFinished(run, job));
        }
      }
      if (!canceled && reserved.size > 0) {
        await trx.updateTable('runs').set({ status: 'queued' }).where('id', '=', runId).execute();
        return touched;
      }
      const status = finalRunStatus(jobs, canceled);
      const failure = runFailure(status, jobs, result.error);
      record(
        runEnded(
          { ...run, started_at: run.started_at ?? result.startedAt },
          failure ? 'failed' : status,
          now,
        ),
      );
      await trx
        .updateTable('runs')
        .set({
          status: failure ? 'failed' : status,
          failure_reason: failure?.reason ?? null,
          failure_message: failure?.message ?? null,
          failure_params: storedParams(failure?.params),
          started_at: sql<number>`coalesce(started_at, ${result.startedAt})`,
          finished_at: now,
        })
        .where('id', '=', runId)
        .execute();
      return touched;
    });
    if (changed) await this.publish(runId, changed);
  }

  async failUnfinished(runId: string, reason: 'agent_lost', message: string): Promise<void> {
    const now = this.deps.now();
    const changed = await this.transact(async (trx, record) => {
      const run = await unfinishedRun(trx, runId);
      if (!run) return null;
      const touched: string[] = [];
      for (const job of await jobsInPlanOrder(trx, runId)) {
        let patch: JobPatch | null = null;
        if (job.status === 'running') {
          patch = {
            status: 'failed',
            failure_reason: reason,
            failure_message: message,
            started_at: job.started_at ?? now,
            finished_at: now,
          };
        } else if (job.status === 'pending' || job.status === 'queued') {
          patch = {
            status: 'skipped',
            skip_code: 'upstream_failed',
            skip_message: `not run: ${message}`,
            skip_params: storedParams({ cause: 'agent_lost' }),
          };
        }
        if (!patch) continue;
        await updateJob(trx, runId, job.name, patch);
        touched.push(job.name);
        record(jobFinished(run, { ...job, ...patch }));
      }
      record(runEnded(run, 'failed', now));
      await trx
        .updateTable('runs')
        .set({ status: 'failed', failure_reason: reason, failure_message: message, finished_at: now })
        .where('id', '=', runId)
        .execute();
      return touched;
    });
    if (changed) await this.publish(runId, changed);
  }

  async requeued(runId: string, message = 'the agent was lost'): Promise<void> {
    const now = this.deps.now();
    const changed = await this.deps.db.transaction().execute(async (trx) => {
      if (!(await unfinishedRun(trx, runId))) return null;
      // The jobs that were running start over as their next attempt; the run counts its
      // executions, so the record can say "attempt 2". A job whose lines arrived while its
      // `running` report was still on its way (sent after them) had started too.
      const started = (eb: ExpressionBuilder<Database, 'jobs'>) =>
        eb.or([
          eb('jobs.status', '=', 'running'),
          eb.and([
            eb('jobs.status', '=', 'pending'),
            eb.exists(
              eb
                .selectFrom('log_chunks')
                .select('log_chunks.first_n')
                .whereRef('log_chunks.run_id', '=', 'jobs.run_id')
                .whereRef('log_chunks.job', '=', 'jobs.name')
                .whereRef('log_chunks.attempt', '>=', 'jobs.attempt'),
            ),
          ]),
        ]);
      const running = await trx
        .selectFrom('jobs')
        .select(['name', 'started_at', 'retries'])
        .where('run_id', '=', runId)
        .where(started)
        .execute();
      // Each lost attempt stays visible in the job's attempts (the log keeps its lines too).
      for (const job of running) {
        const lost = {
          status: 'failed' as const,
          failure: { reason: 'agent_lost' as const, message },
          exitCode: null,
          startedAt: job.started_at ?? now,
          finishedAt: now,
        };
        await updateJob(trx, runId, job.name, { retries: withLostAttempt(job.retries, lost) });
      }
      await trx
        .updateTable('jobs')
        .set({
          status: 'pending',
          failure_reason: null,
          failure_message: null,
          failure_params: null,
          exit_code: null,
          started_at: null,
          finished_at: null,
          attempt: sql<number>`attempt + 1`,
        })
        .where('run_id', '=', runId)
        .where(started)
        .execute();
      await trx
        .updateTable('runs')
        .set({ status: 'queued', finished_at: null, attempt: sql<number>`attempt + 1` })
        .where('id', '=', runId)
        .execute();
      return running.map((j) => j.name);
    });
    if (changed) await this.publish(runId, changed);
  }

  /** One transaction whose recorded delivery events are stored with it and dispatched after commit. */
  private transact<T>(work: (trx: Trx, record: (event: DeliveryEvent) => void) => Promise<T>): Promise<T> {
    return this.deps.deliveries.transact(this.deps.db, this.deps.now, work);
  }

  private publish(runId: string, jobs: readonly string[]): Promise<void> {
    const { leaseTimeoutMs } = this.deps;
    const waiting = leaseTimeoutMs === undefined ? undefined : { now: this.deps.now(), leaseTimeoutMs };
    return publishRunChange(this.deps.db, this.deps.events, runId, jobs, waiting);
  }
}

type OpenRun = Pick<RunRow, 'id' | 'status' | 'project_id' | 'number' | 'started_at'>;

/** `job.finished` for a job the server ended (no agent report). */
function jobFinished(run: OpenRun, job: JobRow): DeliveryEvent {
  return {
    type: 'job.finished',
    projectId: run.project_id,
    runId: run.id,
    releaseId: null,
    data: {
      job: job.name,
      status: job.status,
      startedAt: job.started_at,
      finishedAt: job.finished_at,
      report: null,
    },
  };
}

function runEnded(run: OpenRun, status: string, now: number): DeliveryEvent {
  return {
    type: 'run.finished',
    projectId: run.project_id,
    runId: run.id,
    releaseId: null,
    data: { number: run.number, status, startedAt: run.started_at, finishedAt: now },
  };
}

/** The run, unless it is gone or over: then nothing about it may change any more. */
async function unfinishedRun(trx: Trx, runId: string): Promise<OpenRun | null> {
  // Locked on PostgreSQL: two reports about one run (an agent's finish, a lease expiry) must not
  // both see it unfinished and interleave their writes.
  const run = await trx
    .selectFrom('runs')
    .select(['id', 'status', 'project_id', 'number', 'started_at'])
    .where('id', '=', runId)
    .$call(forUpdateOnPostgres(trx as never))
    .executeTakeFirst();
  return run && !terminal(run.status) ? run : null;
}

/** Reads a job, asks `change` for a patch (null = leave it), writes it; false when nothing changed. */
async function patchJob(
  trx: Trx,
  runId: string,
  name: string,
  change: (row: JobRow) => JobPatch | null,
): Promise<boolean> {
  const row = await jobByName(trx, runId, name);
  const patch = row ? change(row) : null;
  if (!patch) return false;
  await updateJob(trx, runId, name, patch);
  return true;
}

async function markRunning(trx: Trx, runId: string, now: number): Promise<void> {
  await trx
    .updateTable('runs')
    .set({ status: 'running', started_at: sql<number>`coalesce(started_at, ${now})`, finished_at: null })
    .where('id', '=', runId)
    .execute();
}

async function cancelWasRequested(trx: Trx, runId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('queue')
    .select('id')
    .where('run_id', '=', runId)
    .where('cancel_requested', '=', 1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * What a job the agent left unfinished becomes when the execution ends: running ones are
 * canceled (run canceled) or failed, waiting ones skipped; manual jobs stay playable unless
 * the run was canceled.
 */
function leftoverPatch(job: JobRow, canceled: boolean, error: string | null, now: number): JobPatch | null {
  switch (job.status as Status) {
    case 'running':
      return canceled
        ? { status: 'canceled', started_at: job.started_at ?? now, finished_at: now }
        : {
            status: 'failed',
            failure_reason: 'backend_error',
            failure_message: error ?? 'the execution ended without a result for this job',
            started_at: job.started_at ?? now,
            finished_at: now,
          };
    case 'pending':
    case 'queued':
      return canceled
        ? { status: 'skipped', ...CANCELED_SKIP }
        : {
            status: 'skipped',
            skip_code: 'upstream_failed',
            skip_message: error ? `not run: ${error}` : 'the execution ended before this job started',
            skip_params: storedParams({ cause: 'execution_ended' }),
          };
    case 'manual':
      return canceled ? { status: 'skipped', ...CANCELED_SKIP } : null;
    case 'succeeded':
    case 'failed':
    case 'canceled':
    case 'skipped':
      return null;
  }
}
