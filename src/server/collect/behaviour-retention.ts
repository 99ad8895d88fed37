import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';

const DAY_MS = 86_400_000;

/**
 * Retention of collected behaviour: page views, custom events and client errors older than
 * `retentionDays` (SLIPWAY_BEHAVIOUR_RETENTION_DAYS) are deleted. Feedback messages are not:
 * they are what users wrote to the team, kept until someone deletes them, like an inbox.
 * Runs with the traffic retention (traffic-sweeper.ts). Returns how many events went.
 */
export async function sweepBehaviour(
  db: Kysely<Database>,
  now: number,
  retentionDays: number,
): Promise<number> {
  const result = await db
    .deleteFrom('behaviour_events')
    .where('occurred_at', '<', now - retentionDays * DAY_MS)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
