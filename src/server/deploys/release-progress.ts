import { type Kysely, sql, type Transaction } from 'kysely';
import type { JobResultMessage } from '../../protocol/agent-protocol.js';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import { type DeliveryEvent, releaseEventType } from '../events/delivery-events.js';
import type { Database, ReleaseRow } from '../store/tables.js';
import { releaseReasonOfJob } from './release-job-reason.js';

type Trx = Transaction<Database>;
type Record = (event: DeliveryEvent) => void;

export interface ReleaseProgressDeps {
  db: Kysely<Database>;
  now: () => number;
  deliveries: DeliveryEventBus;
}

export const OPEN_RELEASE: ReleaseRow['status'][] = ['queued', 'awaiting_approval', 'running'];

/**
 * A release's progress, from its deploy job: the agent's release result when it sent one, else
 * the job's status. Every status a release reaches records its `release.*` delivery event in the
 * same transaction as the change (emitted after the commit).
 */

/** A deploy job reported its end (from the agent's job result). Idempotent. */
export async function applyReleaseResult(
  deps: ReleaseProgressDeps,
  runId: string,
  job: JobResultMessage,
): Promise<void> {
  const result = job.release;
  if (!result) return;
  await deps.deliveries.transact(deps.db, deps.now, async (trx, record) => {
    const row = await trx
      .updateTable('releases')
      .set({
        status: result.status,
        reason: result.reason ?? null,
        ...(result.image ? { image: result.image } : {}),
        ...(result.digest !== undefined ? { digest: result.digest } : {}),
        started_at: sql<number>`coalesce(started_at, ${job.startedAt ?? deps.now()})`,
        finished_at: job.finishedAt ?? deps.now(),
      })
      .where('id', '=', result.id)
      .where('release_run_id', '=', runId)
      .where('status', 'in', OPEN_RELEASE)
      .returningAll()
      .executeTakeFirst();
    if (row && result.reasonCode) {
      const reason = { code: result.reasonCode, params: JSON.stringify(result.reasonParams ?? {}) };
      await trx
        .insertInto('release_reasons')
        .values({ release_id: row.id, ...reason })
        .onConflict((oc) => oc.column('release_id').doUpdateSet(reason))
        .execute();
    }
    if (row) await recordReleaseEvent(trx, record, row);
  });
}

/**
 * Brings open releases of a run in line with their jobs: running when the job runs, and an
 * end when the job ended without a release result (agent lost, canceled, refused).
 */
export async function syncReleasesWithRun(deps: ReleaseProgressDeps, runId: string): Promise<void> {
  const open = await deps.db
    .selectFrom('releases')
    .innerJoin('jobs', (j) =>
      j.onRef('jobs.run_id', '=', 'releases.release_run_id').onRef('jobs.name', '=', 'releases.release_job'),
    )
    .select([
      'releases.id',
      'releases.status',
      'jobs.status as jobStatus',
      'jobs.failure_message',
      'jobs.skip_message',
      'jobs.failure_reason',
      'jobs.failure_params',
      'jobs.skip_code',
      'jobs.skip_params',
      'jobs.started_at',
      'jobs.finished_at',
    ])
    .where('releases.release_run_id', '=', runId)
    .where('releases.status', 'in', OPEN_RELEASE)
    .execute();
  for (const row of open) {
    const patch = releasePatchForJob(row.jobStatus, row.failure_message ?? row.skip_message);
    if (!patch || patch.status === row.status) continue;
    await deps.deliveries.transact(deps.db, deps.now, async (trx, record) => {
      const changed = await trx
        .updateTable('releases')
        .set({
          ...patch,
          started_at: row.started_at,
          finished_at: patch.status === 'running' ? null : (row.finished_at ?? deps.now()),
        })
        .where('id', '=', row.id)
        .where('status', 'in', OPEN_RELEASE)
        .returningAll()
        .executeTakeFirst();
      if (!changed) return;
      await recordReleaseEvent(trx, record, changed);
      const reason = releaseReasonOfJob(row.jobStatus, row);
      if (reason) {
        const values = { code: reason.code, params: JSON.stringify(reason.params) };
        await trx
          .insertInto('release_reasons')
          .values({ release_id: changed.id, ...values })
          .onConflict((oc) => oc.column('release_id').doUpdateSet(values))
          .execute();
      }
    });
  }
}

/**
 * Records the event of a release's status (`type` overrides it: approval.*); nothing for a
 * status that is no event (queued, awaiting approval).
 */
export async function recordReleaseEvent(
  trx: Trx,
  record: Record,
  release: ReleaseRow,
  type: DeliveryEvent['type'] | null = releaseEventType(release.status),
  by?: string,
): Promise<void> {
  if (!type) return;
  const app = await trx
    .selectFrom('applications')
    .select('project_id')
    .where('id', '=', release.application_id)
    .executeTakeFirst();
  if (!app) return;
  const data = {
    number: release.number,
    applicationId: release.application_id,
    environmentId: release.environment_id,
    image: release.image,
    trigger: release.trigger,
    reason: release.reason,
  };
  const ref = { projectId: app.project_id, runId: release.release_run_id, releaseId: release.id };
  // The union is closed per type; approval.granted alone carries who granted it.
  const event =
    type === 'approval.granted'
      ? { type, ...ref, data: { ...data, by: by ?? 'unknown' } }
      : ({ type, ...ref, data } as DeliveryEvent);
  record(event);
}

function releasePatchForJob(
  jobStatus: string,
  message: string | null,
): Pick<ReleaseRow, 'status' | 'reason'> | null {
  switch (jobStatus) {
    case 'running':
      return { status: 'running', reason: null };
    case 'succeeded':
      return { status: 'succeeded', reason: null };
    case 'failed':
      return { status: 'failed', reason: message ?? 'the deploy job failed' };
    case 'canceled':
    case 'skipped':
      return { status: 'canceled', reason: message };
    default:
      return null;
  }
}
