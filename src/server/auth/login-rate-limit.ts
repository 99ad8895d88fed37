import type { Kysely, Transaction } from 'kysely';
import { serialiseTransaction } from '../store/dialect.js';
import type { Database } from '../store/tables.js';

/** The window over which failed sign-ins are counted. */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

/**
 * Failed sign-ins are counted per username (a guesser aiming at one account from many
 * addresses) and per client address (one client trying many accounts), in `login_attempts`
 * so the limit holds across restarts and across servers sharing a database.
 */
export function attemptKeys(username: string, ip: string): string[] {
  return [userKey(username), `ip:${ip}`];
}

function userKey(username: string): string {
  return `user:${username.toLowerCase()}`;
}

/**
 * An attempt that holds a slot under the limit while its password is checked: `refused` (with
 * the seconds to wait) when every slot is taken, else the ids of the rows it inserted.
 */
export type AttemptReservation = { refused: true; retryAfter: number } | { refused: false; ids: number[] };

/**
 * Takes a slot for one sign-in attempt before the (slow, async) password check. Counting and
 * inserting happen in one serialised transaction, so parallel attempts cannot all see the same
 * "below the limit" count and all be checked: the N+1st concurrent attempt is refused even
 * while the first N are still hashing. The inserted rows count as failures unless the attempt
 * turns out to be a success (`releaseAttempt`).
 */
export async function reserveAttempt(
  db: Kysely<Database>,
  keys: string[],
  limit: number,
  now: number,
): Promise<AttemptReservation> {
  return db.transaction().execute(async (tx) => {
    // PostgreSQL runs transactions concurrently: without this lock two attempts could both count
    // limit-1 rows and both insert. SQLite's single writer already serialises.
    await serialiseTransaction(tx as never, 'login_attempts');
    const wait = await waitSeconds(tx, keys, limit, now);
    if (wait > 0) return { refused: true, retryAfter: wait };
    const ids: number[] = [];
    for (const key of keys) {
      const row = await tx
        .insertInto('login_attempts')
        .values({ key, at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(Number(row.id));
    }
    // Rows older than the window count for nothing; dropping them here keeps the table small.
    await tx
      .deleteFrom('login_attempts')
      .where('at', '<=', now - LOGIN_WINDOW_MS)
      .execute();
    return { refused: false, ids };
  });
}

/** A successful sign-in gives its reserved slots back and forgives the account's failures (not the address's). */
export async function releaseAttempt(db: Kysely<Database>, username: string, ids: number[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (ids.length > 0) await tx.deleteFrom('login_attempts').where('id', 'in', ids).execute();
    await tx.deleteFrom('login_attempts').where('key', '=', userKey(username)).execute();
  });
}

/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
async function waitSeconds(
  db: Transaction<Database>,
  keys: string[],
  limit: number,
  now: number,
): Promise<number> {
  let wait = 0;
  for (const key of keys) {
    const recent = await db
      .selectFrom('login_attempts')
      .select('at')
      .where('key', '=', key)
      .where('at', '>', now - LOGIN_WINDOW_MS)
      .orderBy('at', 'desc')
      .limit(limit)
      .execute();
    if (recent.length < limit) continue;
    // Allowed again once the oldest of the last `limit` attempts leaves the window (at least 1 s).
    const oldest = recent[recent.length - 1]!.at;
    wait = Math.max(wait, Math.ceil((oldest + LOGIN_WINDOW_MS - now) / 1000), 1);
  }
  return wait;
}
