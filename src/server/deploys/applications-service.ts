import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApplicationInput, EnvironmentInput } from '../../api/releases.js';
import { conflict, notFound } from '../errors.js';
import type { ApplicationRow, Database, EnvironmentRow, ProjectRow } from '../store/tables.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { writeAudit } from './audit-log.js';
import { isProductionName } from './names.js';
import { forgetRemoved, rememberRemoved } from './removed-environments.js';

export interface AppDeps {
  db: Kysely<Database>;
  now: () => number;
}

/** Applications and environments: created, configured and removed by maintainers, audited. */
export async function createApplication(
  deps: AppDeps,
  project: ProjectRow,
  input: ApplicationInput,
  actor: string,
): Promise<ApplicationRow> {
  const names = input.environments.map((e) => e.name);
  if (new Set(names).size !== names.length) throw conflict('environment names must differ');
  const now = deps.now();
  const app: ApplicationRow = { id: randomUUID(), project_id: project.id, name: input.name, created_at: now };
  try {
    await deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('applications').values(app).execute();
      for (const [i, env] of input.environments.entries()) {
        await trx
          .insertInto('environments')
          .values(environmentRow(app.id, env.name, env, i, now))
          .execute();
        await forgetRemoved(trx, project.name, app.name, env.name);
      }
      await writeAudit(trx, now, {
        actor,
        action: 'application.create',
        projectId: project.id,
        target: app.name,
        detail: { environments: names },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`application "${input.name}" already exists in ${project.name}`);
    throw error;
  }
  return app;
}

/** Creates the environment or replaces its settings; config changes bump config_version. */
export async function putEnvironment(
  deps: AppDeps,
  project: ProjectRow,
  app: ApplicationRow,
  name: string,
  input: EnvironmentInput,
  actor: string,
): Promise<{ created: boolean }> {
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('environments')
      .selectAll()
      .where('application_id', '=', app.id)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!existing) {
      const last = await trx
        .selectFrom('environments')
        .select((eb) => eb.fn.max('position').as('max'))
        .where('application_id', '=', app.id)
        .executeTakeFirst();
      const position =
        input.position ?? (last?.max === null || last?.max === undefined ? 0 : Number(last.max) + 1);
      await trx
        .insertInto('environments')
        .values(environmentRow(app.id, name, input, position, now))
        .execute();
      await forgetRemoved(trx, project.name, app.name, name);
    } else {
      const config = JSON.stringify(input.config);
      const changed = config !== existing.config || existing.target !== input.target;
      await trx
        .updateTable('environments')
        .set({
          target: input.target,
          config,
          requires_approval: input.requiresApproval ? 1 : 0,
          production: input.production === undefined ? (existing.production ?? 0) : input.production ? 1 : 0,
          auto_release: input.autoRelease ? JSON.stringify(input.autoRelease) : null,
          position: input.position ?? existing.position,
          config_version: existing.config_version + (changed ? 1 : 0),
          updated_at: now,
        })
        .where('id', '=', existing.id)
        .execute();
    }
    await writeAudit(trx, now, {
      actor,
      action: existing ? 'environment.update' : 'environment.create',
      projectId: project.id,
      target: `${app.name}/${name}`,
      // Secret *names* only; values live in the project's secrets.
      detail: {
        target: input.target,
        requiresApproval: input.requiresApproval,
        autoRelease: input.autoRelease,
        config: input.config,
      },
    });
    return { created: !existing };
  });
}

export async function deleteEnvironment(
  deps: AppDeps,
  project: ProjectRow,
  app: ApplicationRow,
  env: EnvironmentRow,
  actor: string,
): Promise<void> {
  const now = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('releases').where('environment_id', '=', env.id).execute();
    await trx.deleteFrom('environments').where('id', '=', env.id).execute();
    await rememberRemoved(trx, project.name, [{ app: app.name, env: env.name }], now);
    await writeAudit(trx, now, {
      actor,
      action: 'environment.delete',
      projectId: project.id,
      target: `${app.name}/${env.name}`,
      detail: {},
    });
  });
}

export async function deleteApplication(
  deps: AppDeps,
  project: ProjectRow,
  app: ApplicationRow,
  actor: string,
): Promise<void> {
  const now = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    const envs = await trx
      .selectFrom('environments')
      .select('name')
      .where('application_id', '=', app.id)
      .execute();
    await rememberRemoved(
      trx,
      project.name,
      envs.map((e) => ({ app: app.name, env: e.name })),
      now,
    );
    await trx.deleteFrom('releases').where('application_id', '=', app.id).execute();
    await trx.deleteFrom('environments').where('application_id', '=', app.id).execute();
    await trx.deleteFrom('applications').where('id', '=', app.id).execute();
    await writeAudit(trx, now, {
      actor,
      action: 'application.delete',
      projectId: project.id,
      target: app.name,
      detail: {},
    });
  });
}

export async function findApplication(
  db: Kysely<Database>,
  project: ProjectRow,
  name: string,
): Promise<ApplicationRow> {
  const row = await db
    .selectFrom('applications')
    .selectAll()
    .where('project_id', '=', project.id)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw notFound(`application "${name}"`);
  return row;
}

export async function findEnvironment(
  db: Kysely<Database>,
  app: ApplicationRow,
  name: string,
): Promise<EnvironmentRow> {
  const row = await db
    .selectFrom('environments')
    .selectAll()
    .where('application_id', '=', app.id)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw notFound(`environment "${name}" of application "${app.name}"`);
  return row;
}

function environmentRow(
  applicationId: string,
  name: string,
  input: EnvironmentInput,
  position: number,
  now: number,
): EnvironmentRow {
  return {
    id: randomUUID(),
    application_id: applicationId,
    name,
    position: input.position ?? position,
    target: input.target,
    config: JSON.stringify(input.config),
    requires_approval: input.requiresApproval ? 1 : 0,
    production: (input.production ?? isProductionName(name)) ? 1 : 0,
    auto_release: input.autoRelease ? JSON.stringify(input.autoRelease) : null,
    config_version: 1,
    created_at: now,
    updated_at: now,
  };
}
