import type { Kysely, Transaction } from 'kysely';
import type { EnvironmentRefMessage, ObservedEnvironmentMessage } from '../../protocol/agent-protocol.js';
import type { Database } from '../store/tables.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Deleting an application or environment (or a whole project) must stop what runs on the
 * engines, but only agents talk to engines. So the deletion leaves a row per environment, in its
 * own transaction, and every agent's next report of what runs (observed health) is answered with
 * the environments to remove (environment-observations.ts → agent/environment-reporter.ts).
 */
export async function rememberRemoved(
  trx: Db,
  project: string,
  environments: { app: string; env: string }[],
  now: number,
): Promise<void> {
  for (const e of environments) {
    await trx
      .insertInto('removed_environments')
      .values({ project, app: e.app, env: e.env, removed_at: now })
      .onConflict((oc) => oc.columns(['project', 'app', 'env']).doUpdateSet({ removed_at: now }))
      .execute();
  }
}

/** A new environment of the same names is not the removed one: its containers must stay. */
export async function forgetRemoved(trx: Db, project: string, app: string, env: string): Promise<void> {
  await trx
    .deleteFrom('removed_environments')
    .where('project', '=', project)
    .where('app', '=', app)
    .where('env', '=', env)
    .execute();
}

/** The reported environments that were removed in Slipway: the agent stops them. */
export async function environmentsToRemove(
  db: Db,
  observed: ObservedEnvironmentMessage[],
): Promise<EnvironmentRefMessage[]> {
  if (observed.length === 0) return [];
  const projects = [...new Set(observed.map((o) => o.project))];
  const rows = await db
    .selectFrom('removed_environments')
    .selectAll()
    .where('project', 'in', projects)
    .execute();
  const removed = new Set(rows.map((r) => `${r.project}\u0000${r.app}\u0000${r.env}`));
  return observed
    .filter((o) => removed.has(`${o.project}\u0000${o.app}\u0000${o.env}`))
    .map((o) => ({ project: o.project, app: o.app, env: o.env, target: o.target }));
}
