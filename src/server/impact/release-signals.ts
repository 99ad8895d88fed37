import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';

interface Span {
  releaseId: string;
  from: number;
  to: number;
}

/**
 * Client errors (behaviour events of kind error, attributed to a release by the collect
 * endpoint) in the before and after windows, and in all of the release's life.
 */
export async function countClientErrors(
  db: Kysely<Database>,
  q: { before: Span | null; after: Span | null; releaseId: string },
): Promise<{ before: number; after: number; total: number }> {
  const count = async (releaseId: string, from?: number, to?: number) => {
    let query = db
      .selectFrom('behaviour_events')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('release_id', '=', releaseId)
      .where('kind', '=', 'error');
    if (from !== undefined && to !== undefined) {
      query = query.where('occurred_at', '>=', from).where('occurred_at', '<', to);
    }
    return Number((await query.executeTakeFirst())?.n ?? 0);
  };
  return {
    before: q.before ? await count(q.before.releaseId, q.before.from, q.before.to) : 0,
    after: q.after ? await count(q.after.releaseId, q.after.from, q.after.to) : 0,
    total: await count(q.releaseId),
  };
}

/** Feedback left while the release served: how many messages, and the mean of the ratings given. */
export async function feedbackOf(
  db: Kysely<Database>,
  releaseId: string,
): Promise<{ count: number; averageRating: number | null }> {
  const row = await db
    .selectFrom('feedback_messages')
    .select((eb) => [
      eb.fn.countAll<number | string | bigint>().as('n'),
      eb.fn.count<number | string | bigint>('rating').as('rated'),
      eb.fn.sum<number | string | null>('rating').as('total'),
    ])
    .where('release_id', '=', releaseId)
    .executeTakeFirst();
  const rated = Number(row?.rated ?? 0);
  return {
    count: Number(row?.n ?? 0),
    averageRating: rated > 0 ? Math.round((Number(row?.total ?? 0) / rated) * 100) / 100 : null,
  };
}
