import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
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

export const auditJsonSchema = z.object({
  id: z.number().int(),
  at: z.number().int(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditJson = z.infer<typeof auditJsonSchema>;

/** Newest first; `before` pages by id. */
export async function listAudit(
  db: Db,
  projectId: string,
  opts: { limit: number; before?: number | undefined },
): Promise<AuditJson[]> {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.before !== undefined) query = query.where('id', '<', opts.before);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
