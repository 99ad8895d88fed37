import { lstat, rm } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { rememberRemoved } from '../deploys/removed-environments.js';
import { contained, mirrorsRoot, repoDirName, reposRoot } from '../git/repo-paths.js';
import { deleteProjectIntegrations } from '../notify/delete-project-integrations.js';
import type { RunService } from '../services.js';
import type { Database, ProjectRow } from '../store/tables.js';

/** Run statuses that still hold a queue entry or an agent's lease. */
const ACTIVE_RUN_STATUSES = ['pending', 'queued', 'running', 'manual'] as const;

/**
 * Deletes a project and everything it owns, so a new project of the same name starts empty:
 *  - active runs are canceled first through the run service (events published, leased jobs
 *    flagged); the cascade below then removes their leases, so an agent still running one gets
 *    `not found` on its next heartbeat and stops its containers (lease lost = cancel);
 *  - rows: runs (jobs, queue, logs, images), secrets, schedules, registries, images,
 *    applications (environments, releases) go by ON DELETE CASCADE; webhook deliveries have no
 *    foreign key and are deleted here;
 *  - the audit log stays (who did what must outlive what it was done to): its rows are detached
 *    from the project first, since their foreign key would cascade too; target/detail keep names;
 *  - on disk: the built-in repository and the remote mirror, once the rows are gone (a crash
 *    in between leaves an orphan directory keyed by an id nobody uses again, never a project
 *    without its repository).
 */
export async function deleteProject(
  deps: { db: Kysely<Database>; dataDir: string; runs: Pick<RunService, 'cancel'> },
  project: Pick<ProjectRow, 'id'>,
  by: string,
): Promise<void> {
  const active = await deps.db
    .selectFrom('runs')
    .select('id')
    .where('project_id', '=', project.id)
    .where('status', 'in', [...ACTIVE_RUN_STATUSES])
    .execute();
  for (const run of active) await deps.runs.cancel(run.id, by);
  await deps.db.transaction().execute(async (trx) => {
    // What the project's applications run on engines is stopped by the agents (removed-environments.ts).
    const named = await trx
      .selectFrom('projects')
      .select('name')
      .where('id', '=', project.id)
      .executeTakeFirst();
    const envs = await trx
      .selectFrom('environments')
      .innerJoin('applications', 'applications.id', 'environments.application_id')
      .select(['applications.name as app', 'environments.name as env'])
      .where('applications.project_id', '=', project.id)
      .execute();
    if (named) await rememberRemoved(trx, named.name, envs, Date.now());
    await trx
      .updateTable('audit_log')
      .set({ project_id: null })
      .where('project_id', '=', project.id)
      .execute();
    await trx.deleteFrom('deliveries').where('project_id', '=', project.id).execute();
    await deleteProjectIntegrations(trx, project.id);
    await trx.deleteFrom('projects').where('id', '=', project.id).execute();
  });
  // Either may exist: a project's source kind is fixed, but a directory costs nothing to check.
  for (const root of [reposRoot(deps.dataDir), mirrorsRoot(deps.dataDir)]) {
    await removeContained(root, repoDirName(project.id));
  }
}

/**
 * Removes `root/name` (security rule 5): the path is built from the id and checked to stay inside
 * root; a symlink there is removed as a link, never followed to what it points at; and `rm`
 * does not follow symlinks inside the tree either.
 */
async function removeContained(root: string, name: string): Promise<void> {
  const path = contained(root, name);
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!stat) return;
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    await rm(path, { force: true });
    return;
  }
  await rm(path, { recursive: true, force: true });
}
