import type { Kysely } from 'kysely';
import { formatDuration } from '../../domain/duration.js';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { StoredDeliveryEvent } from '../events/delivery-events.js';
import type { Database } from '../store/tables.js';
import { runLink } from './build-message.js';
import { type CommitState, type CommitStatus, offersCommitStatus } from './forge-status.js';
import { enqueueDeliveries } from './outbox.js';

/** What a queued commit status carries (outbox payload). */
export interface CommitStatusPayload extends CommitStatus {
  sha: string;
  run: number;
}

export interface CommitStatusFollowUpDeps {
  db: Kysely<Database>;
  now: () => number;
  linkBase: string;
  kick: () => void;
}

/**
 * Commit statuses follow runs on the delivery event bus: `pending` when a run is created,
 * `running` when its first job starts, and its outcome when it finishes — for remote projects on
 * a forge that offers statuses, with a token set. Each goes to the outbox under the commit's
 * group, so the worker sends them in order and skips a stale one (a `pending` still waiting
 * when the run already succeeded is never sent after it).
 */
export function followCommitStatuses(bus: DeliveryEventBus, deps: CommitStatusFollowUpDeps): () => void {
  return bus.subscribe(
    'commit-statuses',
    async (event) => {
      if (await queueCommitStatus(deps, event)) deps.kick();
    },
    ['run.created', 'job.started', 'run.finished'],
  );
}

export async function queueCommitStatus(
  deps: CommitStatusFollowUpDeps,
  event: StoredDeliveryEvent,
): Promise<boolean> {
  if (!event.runId) return false;
  if (event.type !== 'run.created' && event.type !== 'job.started' && event.type !== 'run.finished')
    return false;
  const project = await deps.db
    .selectFrom('projects')
    .leftJoin('commit_status_settings', 'commit_status_settings.project_id', 'projects.id')
    .select([
      'projects.name',
      'projects.source_kind',
      'projects.forge',
      'commit_status_settings.enabled',
      'commit_status_settings.token',
    ])
    .where('projects.id', '=', event.projectId)
    .executeTakeFirst();
  if (project?.source_kind !== 'remote' || !offersCommitStatus(project.forge)) return false;
  if (project.enabled !== 1 || !project.token) return false;
  const run = await deps.db
    .selectFrom('runs')
    .select(['number', 'record', 'sha', 'status', 'started_at', 'finished_at'])
    .where('id', '=', event.runId)
    .executeTakeFirst();
  if (!run) return false;
  const state = stateOf(event, run.status);
  if (!state) return false;
  const took =
    run.started_at !== null && run.finished_at !== null
      ? ` in ${formatDuration(Number(run.finished_at) - Number(run.started_at))}`
      : '';
  const payload: CommitStatusPayload = {
    state,
    context: `slipway/${project.name}`,
    targetUrl: runLink(deps.linkBase, project.name, run.number),
    description: `#${run.number} ${run.record}: ${DESCRIBED[state]}${state === 'pending' || state === 'running' ? '' : took}`,
    sha: run.sha,
    run: run.number,
  };
  const inserted = await enqueueDeliveries(deps.db, deps.now(), [
    {
      kind: 'commit_status',
      projectId: event.projectId,
      channelId: null,
      // One row per run and state: job.started of every job maps to one `running`.
      dedupKey: `s:${event.runId}:${state}`,
      groupKey: `s:${event.projectId}:${run.sha}`,
      payload,
    },
  ]);
  return inserted > 0;
}

const DESCRIBED: Record<CommitState, string> = {
  pending: 'queued',
  running: 'running',
  success: 'succeeded',
  failure: 'failed',
  error: 'could not run',
  canceled: 'canceled',
};

function stateOf(event: StoredDeliveryEvent, runStatus: string): CommitState | null {
  if (event.type === 'run.created') {
    // A run whose config could not be read is created failed: its outcome is all there is.
    return runStatus === 'failed' ? null : 'pending';
  }
  if (event.type === 'job.started') return 'running';
  if (event.type !== 'run.finished') return null;
  switch (event.data.status) {
    case 'succeeded':
      return 'success';
    case 'failed':
      return 'failure';
    case 'canceled':
      return 'canceled';
    default:
      return 'error';
  }
}
