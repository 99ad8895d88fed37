import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import type { ReleaseFactRow } from '../store/tables-insights.js';
import { splitPipelineWindow } from './stage-split.js';

/** Release statuses that end a release; only ended releases have facts. */
export const ENDED_RELEASE = ['succeeded', 'failed', 'rolled_back', 'canceled'] as const;

/**
 * The facts of one ended release (see tables-insights.ts), from the release, its source run and
 * jobs, and its approval event; null while the release has not ended (or no longer exists).
 * Reads only: the caller stores the row (insights-store.ts).
 */
export async function releaseFacts(db: Kysely<Database>, releaseId: string): Promise<ReleaseFactRow | null> {
  const release = await db
    .selectFrom('releases')
    .innerJoin('applications', 'applications.id', 'releases.application_id')
    .selectAll('releases')
    .select('applications.project_id')
    .where('releases.id', '=', releaseId)
    .executeTakeFirst();
  if (!release || !(ENDED_RELEASE as readonly string[]).includes(release.status)) return null;
  const runId = release.source_run_id ?? (release.trigger === 'pipeline' ? release.release_run_id : null);
  const run = runId
    ? await db
        .selectFrom('runs')
        .select(['id', 'number', 'ref_name', 'created_at', 'started_at', 'finished_at'])
        .where('id', '=', runId)
        .executeTakeFirst()
    : undefined;
  const approval = await db
    .selectFrom('delivery_events')
    .select('occurred_at')
    .where('release_id', '=', release.id)
    .where('type', '=', 'approval.granted')
    .orderBy('id')
    .executeTakeFirst();
  const created = Number(release.created_at);
  let pipelineEnd: number | null = null;
  let split = { stages: [] as { stage: string; ms: number }[], manualWaitMs: 0 };
  if (run && run.started_at !== null) {
    const runEnd = run.finished_at === null ? created : Number(run.finished_at);
    pipelineEnd = Math.max(Number(run.started_at), Math.min(runEnd, created));
    const jobs = await db
      .selectFrom('jobs')
      .select(['stage', 'stage_index', 'manual', 'started_at', 'finished_at'])
      .where('run_id', '=', run.id)
      .execute();
    split = splitPipelineWindow(
      jobs.map((j) => ({
        ...j,
        started_at: j.started_at === null ? null : Number(j.started_at),
        finished_at: j.finished_at === null ? null : Number(j.finished_at),
      })),
      Number(run.started_at),
      pipelineEnd,
    );
  }
  return {
    release_id: release.id,
    project_id: release.project_id,
    application_id: release.application_id,
    environment_id: release.environment_id,
    number: release.number,
    trigger: release.trigger,
    status: release.status,
    reason: release.reason,
    ref_name: run?.ref_name ?? null,
    image: release.image,
    digest: release.digest,
    source_sha: release.source_sha,
    source_run_id: run?.id ?? null,
    source_run_number: run?.number ?? null,
    rollback_of: release.rollback_of,
    created_at: created,
    started_at: release.started_at === null ? null : Number(release.started_at),
    ended_at: release.finished_at === null ? created : Number(release.finished_at),
    run_created_at: run ? Number(run.created_at) : null,
    run_started_at: run?.started_at == null ? null : Number(run.started_at),
    pipeline_end_at: pipelineEnd,
    approved_at: approval ? Number(approval.occurred_at) : null,
    stages: JSON.stringify(split.stages),
    manual_wait_ms: split.manualWaitMs,
    commits: release.status === 'succeeded' && release.source_sha ? 'pending' : 'none',
    changes: 0,
    lead_times: '[]',
    segment_sums: '{}',
  };
}
