import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/tables.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuditEntry {
  actor: string;
  /** e.g. `release.deploy`, `release.approve`, `environment.update`. */
  action: string;
  projectId: string | null;
  /** What was acted on, e.g. `api/production` or `api/production#7`. */
  target: string;
  detail: Record<string, unknown>;
}

/**
 * Who did what, written in the transaction of the change itself so the log never misses an
 * action that happened (nor records one that was rolled back). Details never hold secret values.
 */
export async function writeAudit(db: Db, at: number, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at,
      actor: entry.actor,
      action: entry.action,
      project_id: entry.projectId,
      target: entry.target,
      detail: JSON.stringify(entry.detail),
    })
    .execute();
}

import type { AuditJson } from '../../api/audit.js';

export type { AuditJson };

export interface AuditFilter {
  limit: number;
  before?: number | undefined;
  /** Exact user name. */
  actor?: string | undefined;
  /** An action (`release.deploy`) or a family of them (`release`). */
  action?: string | undefined;
}

/** Newest first; `before` pages by id. `projectId` null: the whole instance (admins). */
export async function listAudit(db: Db, projectId: string | null, opts: AuditFilter): Promise<AuditJson[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (projectId !== null) query = query.where('project_id', '=', projectId);
  if (opts.before !== undefined) query = query.where('id', '<', opts.before);
  if (opts.actor) query = query.where('actor', '=', opts.actor);
  if (opts.action) {
    const family = opts.action;
    query = query.where((eb) => eb.or([eb('action', '=', family), eb('action', 'like', `${family}.%`)]));
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    projectId: r.project_id,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
