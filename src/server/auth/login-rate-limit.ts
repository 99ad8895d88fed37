import type { Kysely } from 'kysely';
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

/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
export async function retryAfterSeconds(
  db: Kysely<Database>,
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
    // Allowed again once the oldest of the last `limit` failures leaves the window.
    const oldest = recent[recent.length - 1]!.at;
    wait = Math.max(wait, Math.ceil((oldest + LOGIN_WINDOW_MS - now) / 1000));
  }
  return Math.max(wait, 0);
}

export async function recordFailure(db: Kysely<Database>, keys: string[], now: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('login_attempts')
      .values(keys.map((key) => ({ key, at: now })))
      .execute();
    // Rows older than the window count for nothing; dropping them here keeps the table small.
    await tx
      .deleteFrom('login_attempts')
      .where('at', '<=', now - LOGIN_WINDOW_MS)
      .execute();
  });
}

/** A successful sign-in forgives the account's failures (not the address's). */
export async function clearFailures(db: Kysely<Database>, username: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('key', '=', attemptKeys(username, '')[0]!).execute();
}
