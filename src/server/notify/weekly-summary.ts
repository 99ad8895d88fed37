import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import { parseRules } from './notification-follow-up.js';
import type { NotificationMessage, SummaryPart } from './notification-message.js';
import { enqueueDeliveries, type NewDelivery } from './outbox.js';

export const WEEK_MS = 7 * 24 * 3_600_000;

/**
 * The weekly delivery summary of one project (or of all, for a global channel) over
 * [from, to): runs and their outcome, the median run duration, releases and rollbacks — the
 * headline numbers of the insights page, from the same tables.
 */
export async function weeklySummary(
  db: Kysely<Database>,
  projectId: string | null,
  from: number,
  to: number,
): Promise<SummaryPart> {
  let runs = db
    .selectFrom('runs')
    .select(['status', 'started_at', 'finished_at'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to);
  if (projectId) runs = runs.where('project_id', '=', projectId);
  const runRows = await runs.execute();
  let releases = db
    .selectFrom('releases')
    .innerJoin('applications', 'applications.id', 'releases.application_id')
    .select(['releases.status', 'releases.trigger'])
    .where('releases.created_at', '>=', from)
    .where('releases.created_at', '<', to);
  if (projectId) releases = releases.where('applications.project_id', '=', projectId);
  const releaseRows = await releases.execute();
  const durations = runRows
    .filter((r) => r.started_at !== null && r.finished_at !== null)
    .map((r) => Number(r.finished_at) - Number(r.started_at))
    .sort((a, b) => a - b);
  const mid = Math.floor(durations.length / 2);
  const median =
    durations.length === 0
      ? null
      : durations.length % 2 === 1
        ? (durations[mid] as number)
        : ((durations[mid - 1] as number) + (durations[mid] as number)) / 2;
  return {
    from,
    to,
    runs: runRows.length,
    succeeded: runRows.filter((r) => r.status === 'succeeded').length,
    failed: runRows.filter((r) => r.status === 'failed').length,
    medianDurationMs: median,
    releases: releaseRows.length,
    releasesSucceeded: releaseRows.filter((r) => r.status === 'succeeded').length,
    releasesFailed: releaseRows.filter((r) => r.status === 'failed').length,
    rollbacks: releaseRows.filter((r) => r.status === 'rolled_back' || r.trigger === 'rollback').length,
  };
}

/**
 * Queues the weekly summary for every enabled channel that asks for it and whose last one is a
 * week old (a new channel's first comes a week after it was created). Called periodically by
 * the server; `w:<channel>:<week end>` keeps a repeated call from queueing twice.
 */
export async function queueWeeklySummaries(
  deps: { db: Kysely<Database>; linkBase: string },
  now: number,
): Promise<number> {
  const channels = await deps.db
    .selectFrom('notification_channels')
    .selectAll()
    .where('enabled', '=', 1)
    .execute();
  let queued = 0;
  for (const channel of channels) {
    if (!parseRules(channel.rules)?.events.includes('summary.weekly')) continue;
    const last = Number(channel.last_summary_at ?? channel.created_at);
    if (now - last < WEEK_MS) continue;
    const summary = await weeklySummary(deps.db, channel.project_id, now - WEEK_MS, now);
    const project = channel.project_id
      ? await deps.db
          .selectFrom('projects')
          .select('name')
          .where('id', '=', channel.project_id)
          .executeTakeFirst()
      : null;
    const message: NotificationMessage = {
      event: 'summary.weekly',
      project: project?.name ?? null,
      url: project ? `${deps.linkBase}/projects/${encodeURIComponent(project.name)}` : deps.linkBase,
      at: now,
      summary,
    };
    const delivery: NewDelivery = {
      kind: 'notification',
      projectId: channel.project_id,
      channelId: channel.id,
      dedupKey: `w:${channel.id}:${Math.floor(now / WEEK_MS)}`,
      payload: message,
    };
    queued += await enqueueDeliveries(deps.db, now, [delivery]);
    await deps.db
      .updateTable('notification_channels')
      .set({ last_summary_at: now })
      .where('id', '=', channel.id)
      .execute();
  }
  return queued;
}
