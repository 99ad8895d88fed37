import type { Kysely } from 'kysely';
import type { Database, ReleaseRow } from '../store/tables.js';
import type { ReleaseFactRow } from '../store/tables-insights.js';
import { type StageJob, splitPipelineWindow } from './stage-split.js';

/** Release statuses that end a release; only ended releases have facts. */
export const ENDED_RELEASE = ['succeeded', 'failed', 'rolled_back', 'canceled'] as const;

/** Ids per `IN (…)` list: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 400;

interface SourceRun {
  id: string;
  number: number;
  ref_name: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** The facts of one ended release; null while it has not ended (or no longer exists). */
export async function releaseFacts(db: Kysely<Database>, releaseId: string): Promise<ReleaseFactRow | null> {
  return (await releaseFactsOf(db, [releaseId]))[0] ?? null;
}

/**
 * The facts (see tables-insights.ts) of the ended releases among `releaseIds`, from each
 * release, its source run and that run's jobs, and its approval event. Set-based: four queries
 * per 400 releases whatever their number, so the backfill of a long history (migration 027)
 * costs what reading it costs, not one round of queries per release. Reads only: the caller
 * stores the rows (insights-store.ts).
 */
export async function releaseFactsOf(
  db: Kysely<Database>,
  releaseIds: readonly string[],
): Promise<ReleaseFactRow[]> {
  const facts: ReleaseFactRow[] = [];
  for (let i = 0; i < releaseIds.length; i += CHUNK) {
    const ids = releaseIds.slice(i, i + CHUNK);
    const releases = await db
      .selectFrom('releases')
      .innerJoin('applications', 'applications.id', 'releases.application_id')
      .selectAll('releases')
      .select('applications.project_id')
      .where('releases.id', 'in', ids)
      .where('releases.status', 'in', [...ENDED_RELEASE])
      .execute();
    if (releases.length === 0) continue;
    const runIds = [...new Set(releases.flatMap((r) => sourceRunId(r) ?? []))];
    const runs = new Map<string, SourceRun>();
    const jobs = new Map<string, StageJob[]>();
    if (runIds.length > 0) {
      for (const run of await db
        .selectFrom('runs')
        .select(['id', 'number', 'ref_name', 'created_at', 'started_at', 'finished_at'])
        .where('id', 'in', runIds)
        .execute()) {
        runs.set(run.id, {
          ...run,
          number: Number(run.number),
          created_at: Number(run.created_at),
          started_at: nullableNumber(run.started_at),
          finished_at: nullableNumber(run.finished_at),
        });
      }
      for (const job of await db
        .selectFrom('jobs')
        .select(['run_id', 'stage', 'stage_index', 'manual', 'started_at', 'finished_at'])
        .where('run_id', 'in', runIds)
        .execute()) {
        const list = jobs.get(job.run_id) ?? [];
        list.push({
          stage: job.stage,
          stage_index: Number(job.stage_index),
          manual: Number(job.manual),
          started_at: nullableNumber(job.started_at),
          finished_at: nullableNumber(job.finished_at),
        });
        jobs.set(job.run_id, list);
      }
    }
    // The first approval of each release (events are append-only: the lowest id came first).
    const approvals = new Map<string, { id: number; at: number }>();
    for (const event of await db
      .selectFrom('delivery_events')
      .select(['id', 'release_id', 'occurred_at'])
      .where('release_id', 'in', ids)
      .where('type', '=', 'approval.granted')
      .execute()) {
      const seen = approvals.get(event.release_id as string);
      if (!seen || Number(event.id) < seen.id)
        approvals.set(event.release_id as string, { id: Number(event.id), at: Number(event.occurred_at) });
    }
    for (const release of releases) {
      const runId = sourceRunId(release);
      const run = runId ? runs.get(runId) : undefined;
      facts.push(
        factOf(release, run, run ? (jobs.get(run.id) ?? []) : [], approvals.get(release.id)?.at ?? null),
      );
    }
  }
  return facts;
}

function sourceRunId(release: Pick<ReleaseRow, 'source_run_id' | 'trigger' | 'release_run_id'>) {
  return release.source_run_id ?? (release.trigger === 'pipeline' ? release.release_run_id : null);
}

function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

/** One release's facts from what was loaded for it (pure). */
function factOf(
  release: ReleaseRow & { project_id: string },
  run: SourceRun | undefined,
  jobs: readonly StageJob[],
  approvedAt: number | null,
): ReleaseFactRow {
  const created = Number(release.created_at);
  let pipelineEnd: number | null = null;
  let split = { stages: [] as { stage: string; ms: number }[], manualWaitMs: 0 };
  if (run && run.started_at !== null) {
    const runEnd = run.finished_at === null ? created : run.finished_at;
    pipelineEnd = Math.max(run.started_at, Math.min(runEnd, created));
    split = splitPipelineWindow(jobs, run.started_at, pipelineEnd);
  }
  return {
    release_id: release.id,
    project_id: release.project_id,
    application_id: release.application_id,
    environment_id: release.environment_id,
    number: Number(release.number),
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
    started_at: nullableNumber(release.started_at),
    ended_at: release.finished_at === null ? created : Number(release.finished_at),
    run_created_at: run ? run.created_at : null,
    run_started_at: run?.started_at ?? null,
    pipeline_end_at: pipelineEnd,
    approved_at: approvedAt,
    stages: JSON.stringify(split.stages),
    manual_wait_ms: split.manualWaitMs,
    commits: release.status === 'succeeded' && release.source_sha ? 'pending' : 'none',
    changes: 0,
    lead_times: '[]',
    segment_sums: '{}',
  };
}
