/**
 * `changes:` on runs somebody asked for (Run manually, the API, a schedule): there is no push
 * whose before sha says what changed, so the run's commit is compared with the commit of the
 * branch's last successful run — what has not been through a green pipeline yet. The result is
 * event data (changed files and the base they were compared with), so compiling stays pure
 * (pipeline/plan/compile-changes.ts decides and words the reasons). With no successful run of
 * the branch yet the event says so, and every job runs.
 */
import type { Kysely } from 'kysely';
import type { ChangesBase, PipelineEvent } from '../../domain/event.js';
import type { SourceService } from '../services.js';
import type { Database, ProjectRow } from '../store/tables.js';

const ASKED_FOR = new Set(['manual', 'cron', 'api']);

export async function withChangesSinceSuccess(
  deps: { db: Kysely<Database>; sources: SourceService },
  project: ProjectRow,
  event: PipelineEvent,
): Promise<PipelineEvent> {
  // A push or pull request knows its own changes; a rerun keeps its parent's event as it was.
  if (!ASKED_FOR.has(event.kind) || event.ref.kind !== 'branch' || event.changedFiles !== undefined)
    return event;
  const last = await deps.db
    .selectFrom('runs')
    .select(['number', 'sha'])
    .where('project_id', '=', project.id)
    .where('ref_kind', '=', 'branch')
    .where('ref_name', '=', event.ref.name)
    .where('status', '=', 'succeeded')
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return { ...event, changesBase: null };
  const base: ChangesBase = { sha: last.sha, runNumber: last.number };
  // The same commit as the last green run: nothing changed since (an empty list, not unknown).
  const changedFiles =
    last.sha === event.sha ? [] : await deps.sources.changedFiles(project, last.sha, event.sha);
  return { ...event, changedFiles, changesBase: base };
}
