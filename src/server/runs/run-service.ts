import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { EVENT_KINDS, type EventKind, type PipelineEvent } from '../../domain/event.js';
import { recordName, storedRef } from '../../domain/ref.js';
import { isTerminal, type Status } from '../../domain/status.js';
import type { Diagnostic } from '../../pipeline/config/diagnostic.js';
import type { Plan } from '../../pipeline/plan/plan.js';
import type { ServerContext } from '../context.js';
import { notFound } from '../errors.js';
import { enqueue } from '../queue/enqueue.js';
import type { CreateRunInput, RunService } from '../services.js';
import { forUpdateOnPostgres } from '../store/dialect.js';
import type { Database, JobRow, ProjectRow, RunRow } from '../store/tables.js';
import { type CancelReason, cancelSentence, parseCancelReason } from './cancel-reason.js';
import { withChangesSinceSuccess } from './changes-since-success.js';
import { blockedManualJobs } from './manual-gate.js';
import { planFromSource, withVariables } from './plan-source.js';
import {
  jobNotManual,
  manualJobBlocked,
  nothingToResume,
  runNotFinished,
  runWasCanceled,
} from './run-conflicts.js';
import { publishRunChange } from './run-events.js';
import { jobByName, jobsInPlanOrder, runById, updateJob } from './run-queries.js';
import {
  allocateRunNumber,
  initialRunStatus,
  insertRunWithJobs,
  plannedJobRows,
  resumedJobRows,
} from './run-rows.js';
import { supersedeOlder } from './supersede-runs.js';
import { WorkflowSkipped } from './workflow-skip.js';

export type RunServiceDeps = Omit<ServerContext, 'runs' | 'queue' | 'caches'>;

type Trx = Transaction<Database>;

/** What every new run is made of, whatever its content. */
interface NewRun {
  input: CreateRunInput;
  parentRunId: string | null;
  now: number;
  id: string;
}

/** A planned run with its jobs, or a run that failed before it could have any. */
type RunContent =
  | { plan: Plan; jobs: JobRow[] }
  | { failure: { reason: 'config_error' | 'backend_error'; message: string } };
const terminal = (status: string) => isTerminal(status as Status);

/**
 * Creating runs (push, manual, cron, rerun) and the user actions on them (cancel, play).
 * Everything a client is told happened is committed in one transaction with its queue entry,
 * so an acknowledged run is always queued, also across a restart. After the commit, the
 * change is published on the EventBus.
 */
export class DbRunService implements RunService {
  constructor(readonly deps: RunServiceDeps) {}

  createRun(input: CreateRunInput): Promise<RunRow> {
    return this.create(input, null);
  }

  cancel(runId: string, by: string): Promise<void> {
    return this.cancelFor(runId, { code: 'user', actor: by }).then(() => undefined);
  }

  /**
   * The one cancel path (users, project deletion, superseded runs): idempotent; queued
   * executions are withdrawn and the run ends at once, leased ones are told via their lease.
   * `onlyIf` is checked in the same transaction, on the locked run row: false leaves the run as
   * it is. The first reason given is the one recorded. True when the run was canceled or its
   * agent was asked to stop.
   */
  private async cancelFor(
    runId: string,
    reason: CancelReason,
    onlyIf?: (trx: Trx, run: RunRow) => Promise<boolean>,
  ): Promise<boolean> {
    const now = this.deps.now();
    const changed = await this.deps.db.transaction().execute(async (trx) => {
      const run = await trx
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runId)
        .$call(forUpdateOnPostgres(trx as never))
        .executeTakeFirst();
      if (!run) throw notFound('run');
      if (terminal(run.status)) return null;
      if (onlyIf && !(await onlyIf(trx, run))) return null;
      const stored = parseCancelReason(run.cancel_reason) ?? reason;
      if (run.cancel_reason == null) {
        await trx
          .updateTable('runs')
          .set({ cancel_reason: JSON.stringify(reason) })
          .where('id', '=', runId)
          .execute();
      }
      const executions = await trx
        .selectFrom('queue')
        .select(['id', 'status'])
        .where('run_id', '=', runId)
        .where('status', '!=', 'done')
        .execute();
      const waiting = executions.filter((e) => e.status === 'queued').map((e) => e.id);
      const leased = executions.filter((e) => e.status === 'leased').map((e) => e.id);
      if (waiting.length > 0) {
        await trx.updateTable('queue').set({ status: 'done' }).where('id', 'in', waiting).execute();
      }
      if (leased.length > 0) {
        // The agent learns it from its next heartbeat, stops the containers and reports the
        // end; RunState then finishes the run as canceled (its reason is stored already).
        await trx.updateTable('queue').set({ cancel_requested: 1 }).where('id', 'in', leased).execute();
        // Published once, when the reason is new (the run JSON shows it); repeats change nothing.
        return run.cancel_reason == null ? [] : null;
      }
      return cancelNow(trx, runId, cancelSentence(stored), now);
    });
    if (changed) await this.publish(runId, changed);
    return changed !== null;
  }

  async rerun(runId: string, opts: { failedOnly: boolean; by: string }): Promise<RunRow> {
    const parent = await requireRun(this.deps.db, runId);
    const project = await this.projectOf(parent);
    // A run whose config had errors has no plan to repeat: plan it again from the source.
    if (parent.plan === null) {
      return this.create(
        {
          project,
          event: eventOfRun(parent),
          trigger: 'rerun',
          actor: opts.by,
          variables: JSON.parse(parent.variables) as Record<string, string>,
          untrusted: parent.untrusted === 1,
        },
        parent.id,
      );
    }
    const plan = JSON.parse(parent.plan) as Plan;
    const parentJobs = opts.failedOnly ? await jobsInPlanOrder(this.deps.db, parent.id) : [];
    if (opts.failedOnly && !terminal(parent.status)) {
      throw runNotFinished(parent);
    }
    const now = this.deps.now();
    const id = randomUUID();
    const jobs = opts.failedOnly ? resumedJobRows(id, plan, parentJobs) : plannedJobRows(id, plan);
    const redo = jobs.filter((j) => j.status === 'pending').map((j) => j.name);
    if (opts.failedOnly && redo.length === 0) {
      throw nothingToResume(parent);
    }
    const run = await this.deps.db.transaction().execute(async (trx) => {
      const row: RunRow = {
        ...parent,
        id,
        number: await allocateRunNumber(trx, parent.project_id),
        trigger: 'rerun',
        actor: opts.by,
        status: initialRunStatus(plan, jobs),
        failure_reason: null,
        failure_message: null,
        failure_params: null,
        cancel_reason: null,
        parent_run_id: parent.id,
        created_at: now,
        started_at: null,
        finished_at: null,
      };
      if (row.status === 'skipped') row.finished_at = now;
      await insertRunWithJobs(trx, row, jobs);
      if (row.status === 'queued') {
        // Resume: only the jobs to redo, in the parent's workspace (the agent finds it through
        // parent_run_id; see workspace-run.ts).
        await enqueue(trx, {
          runId: id,
          projectId: row.project_id,
          jobs: opts.failedOnly ? redo : [],
          runManual: false,
          reuseWorkspace: opts.failedOnly,
          now,
        });
      }
      return row;
    });
    await this.publish(run.id, 'all');
    return run;
  }

  async playJob(runId: string, job: string, _by: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      const run = await requireRun(trx, runId);
      const row = await jobByName(trx, runId, job);
      if (!row) throw notFound(`job "${job}"`);
      if (row.status !== 'manual') {
        throw jobNotManual(job, row.status);
      }
      if (run.status === 'canceled') throw runWasCanceled(run);
      const blocked = run.plan
        ? blockedManualJobs(JSON.parse(run.plan) as Plan, await jobsInPlanOrder(trx, runId))
        : null;
      const why = blocked?.get(job);
      if (why !== undefined) {
        throw manualJobBlocked(job, run, why);
      }
      const ranBefore = await trx
        .selectFrom('queue')
        .select('id')
        .where('run_id', '=', runId)
        .executeTakeFirst();
      await updateJob(trx, runId, job, { status: 'pending' });
      if (terminal(run.status) || run.status === 'manual') {
        // The run is active again until this job has run; its end status is derived anew then.
        await trx
          .updateTable('runs')
          .set({
            status: 'queued',
            finished_at: null,
            failure_reason: null,
            failure_message: null,
            failure_params: null,
          })
          .where('id', '=', runId)
          .execute();
      }
      await enqueue(trx, {
        runId,
        projectId: run.project_id,
        jobs: [job],
        runManual: true,
        // Play after the run's first execution: continue in its workspace (build outputs).
        reuseWorkspace: ranBefore !== undefined,
        now,
      });
    });
    await this.publish(runId, [job]);
  }

  private async create(input: CreateRunInput, parentRunId: string | null): Promise<RunRow> {
    const { project } = input;
    const event = await withChangesSinceSuccess(this.deps, project, input.event);
    const outcome = await planFromSource(this.deps.sources, project, event, this.deps.log, this.deps.configs);
    // `workflow:` says this event gets no run: nothing is stored (the caller says why).
    if (outcome.ok && outcome.plan.skip?.code === 'workflow')
      throw new WorkflowSkipped(outcome.plan.skip.message, outcome.plan.skip.params);
    const base: NewRun = { input, parentRunId, now: this.deps.now(), id: randomUUID() };
    let jobCount = 0;
    let run: RunRow;
    try {
      if (outcome.ok) {
        const plan = withVariables(outcome.plan, input.variables ?? {});
        const jobs = plannedJobRows(base.id, plan);
        jobCount = jobs.length;
        run = await this.insertRun(base, { plan, jobs }, outcome.diagnostics);
      } else {
        const failure = { reason: 'config_error' as const, message: outcome.message };
        run = await this.insertRun(base, { failure }, outcome.diagnostics);
      }
    } catch (error) {
      // Storing the planned run failed (the database refused its jobs, lost its connection…).
      // The event must not vanish: record the run as failed, without jobs, with a sentence the
      // user can read; the cause goes to the server log (it may name tables or paths).
      this.deps.log.error(
        { err: error, project: project.name, sha: event.sha, jobs: jobCount },
        'could not store a planned run; recording it as failed',
      );
      const jobs = `${jobCount} job${jobCount === 1 ? '' : 's'}`;
      const message = `the server could not store this run (${jobs}); the cause is in the server log`;
      run = await this.insertRun(
        base,
        { failure: { reason: 'backend_error', message } },
        outcome.diagnostics,
      );
    }
    await this.publish(run.id, 'all');
    // Only now that the new run is committed and published; never fails the new run.
    await supersedeOlder(this.deps, run, (id, reason, onlyIf) => this.cancelFor(id, reason, onlyIf));
    return run;
  }

  /** Inserts a run with its jobs and, when it can run, its queue entry, in one transaction. */
  private insertRun(base: NewRun, content: RunContent, diagnostics: readonly Diagnostic[]): Promise<RunRow> {
    const { input, parentRunId, now, id } = base;
    const { project, event } = input;
    const plan = 'plan' in content ? content.plan : null;
    const jobs = 'plan' in content ? content.jobs : [];
    const failure = 'failure' in content ? content.failure : null;
    return this.deps.db.transaction().execute(async (trx) => {
      const status = plan ? initialRunStatus(plan, jobs) : 'failed';
      const row: RunRow = {
        id,
        project_id: project.id,
        number: await allocateRunNumber(trx, project.id),
        record: plan?.record ?? recordName(event.ref, event.sha),
        trigger: input.trigger,
        actor: input.actor,
        ref_kind: event.ref.kind,
        ref_name: event.ref.name,
        sha: event.sha,
        message: event.message,
        author: event.author,
        commit_time: event.commitTime ?? null,
        status,
        failure_reason: failure?.reason ?? null,
        failure_message: failure?.message ?? null,
        plan: plan ? JSON.stringify(plan) : null,
        diagnostics: JSON.stringify(diagnostics),
        variables: JSON.stringify(input.variables ?? {}),
        untrusted: input.untrusted ? 1 : 0,
        parent_run_id: parentRunId,
        created_at: now,
        started_at: null,
        finished_at: status === 'failed' || status === 'skipped' ? now : null,
      };
      await insertRunWithJobs(trx, row, jobs);
      if (status === 'queued') {
        await enqueue(trx, {
          runId: id,
          projectId: project.id,
          jobs: [],
          runManual: false,
          reuseWorkspace: false,
          now,
        });
      }
      return row;
    });
  }

  private async projectOf(run: RunRow): Promise<ProjectRow> {
    const project = await this.deps.db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', run.project_id)
      .executeTakeFirst();
    if (!project) throw notFound('project');
    return project;
  }

  private publish(runId: string, jobs: readonly string[] | 'all'): Promise<void> {
    return publishRunChange(this.deps.db, this.deps.events, runId, jobs, {
      now: this.deps.now(),
      leaseTimeoutMs: this.deps.config.leaseTimeoutMs,
    });
  }
}

async function requireRun(db: RunServiceDeps['db'], runId: string): Promise<RunRow> {
  const run = await runById(db, runId);
  if (!run) throw notFound('run');
  return run;
}

/** Nothing runs it: every unfinished job ends at once and so does the run. */
async function cancelNow(trx: Trx, runId: string, why: string, now: number): Promise<string[]> {
  const open = await trx
    .selectFrom('jobs')
    .select(['name', 'status', 'started_at'])
    .where('run_id', '=', runId)
    .where('status', 'not in', ['succeeded', 'failed', 'canceled', 'skipped'])
    .execute();
  for (const job of open) {
    const patch =
      job.status === 'running'
        ? { status: 'canceled', started_at: job.started_at ?? now, finished_at: now }
        : { status: 'skipped', skip_code: 'run_canceled', skip_message: why };
    await updateJob(trx, runId, job.name, patch);
  }
  await trx
    .updateTable('runs')
    .set({ status: 'canceled', failure_reason: null, failure_message: null, finished_at: now })
    .where('id', '=', runId)
    .execute();
  return open.map((j) => j.name);
}

/** The event a stored run was created for (used when it has no plan to take it from). */
function eventOfRun(run: RunRow): PipelineEvent {
  const kind = (EVENT_KINDS as readonly string[]).includes(run.trigger)
    ? (run.trigger as EventKind)
    : 'manual';
  return {
    kind,
    ref: storedRef(run.ref_kind, run.ref_name, run.record),
    sha: run.sha,
    author: run.author,
    message: run.message,
    ...(run.commit_time !== null ? { commitTime: run.commit_time } : {}),
  };
}
