import type { Kysely } from 'kysely';
import type { FeedbackItem } from '../../api/behaviour.js';
import { notFound } from '../errors.js';
import type { Database } from '../store/tables.js';

export interface FeedbackFilter {
  applicationId: string;
  releaseId: string | null;
  rating: number | null;
  resolved: boolean | null;
  limit: number;
}

export type { FeedbackItem };

/** The feedback inbox of an application, newest first, filtered by release, rating, resolved. */
export async function listFeedback(db: Kysely<Database>, filter: FeedbackFilter): Promise<FeedbackItem[]> {
  let q = db
    .selectFrom('feedback_messages as f')
    .leftJoin('releases as r', 'r.id', 'f.release_id')
    .leftJoin('environments as e', 'e.id', 'f.environment_id')
    .where('f.application_id', '=', filter.applicationId);
  if (filter.releaseId) q = q.where('f.release_id', '=', filter.releaseId);
  if (filter.rating !== null) q = q.where('f.rating', '=', filter.rating);
  if (filter.resolved === true) q = q.where('f.resolved_at', 'is not', null);
  if (filter.resolved === false) q = q.where('f.resolved_at', 'is', null);
  const rows = await q
    .select([
      'f.id',
      'f.message',
      'f.rating',
      'f.contact',
      'f.page',
      'r.number as release',
      'e.name as environment',
      'f.created_at',
      'f.resolved_at',
    ])
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id')
    .limit(filter.limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    message: r.message,
    rating: r.rating === null ? null : Number(r.rating),
    contact: r.contact,
    page: r.page,
    release: r.release === null ? null : Number(r.release),
    environment: r.environment ?? null,
    createdAt: Number(r.created_at),
    resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
  }));
}

/** Marks one message resolved (now) or open again; 404 when it is not this application's. */
export async function resolveFeedback(
  db: Kysely<Database>,
  applicationId: string,
  id: string,
  resolvedAt: number | null,
): Promise<void> {
  const result = await db
    .updateTable('feedback_messages')
    .set({ resolved_at: resolvedAt })
    .where('application_id', '=', applicationId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound(`feedback message "${id}"`);
}
