import type { Kysely } from 'kysely';
import type { Database, Role } from '../store/tables.js';
import { randomSecret, sha256Hex } from './credentials.js';

/** How long a sign-in lasts. Fixed (not sliding) so a stolen cookie expires on its own. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface SessionUser {
  sessionId: string;
  csrfToken: string;
  userId: string;
  username: string;
  role: Role;
  mustChangePassword: boolean;
}

/** Creates a session; returns the cookie value (only its sha256 is stored) and the CSRF token. */
export async function createSession(
  db: Kysely<Database>,
  userId: string,
  now: number,
): Promise<{ cookie: string; csrfToken: string }> {
  const cookie = randomSecret();
  const csrfToken = randomSecret();
  await db
    .insertInto('sessions')
    .values({
      id: sha256Hex(cookie),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: now + SESSION_TTL_MS,
    })
    .execute();
  return { cookie, csrfToken };
}

/** The live session of a cookie value, with its user's current role; null when unknown or expired. */
export async function findSession(
  db: Kysely<Database>,
  cookie: string,
  now: number,
): Promise<SessionUser | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id',
      'sessions.csrf_token',
      'users.id as user_id',
      'users.username',
      'users.role',
      'users.must_change_password',
    ])
    .where('sessions.id', '=', sha256Hex(cookie))
    .where('sessions.expires_at', '>', now)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    sessionId: row.id,
    csrfToken: row.csrf_token,
    userId: row.user_id,
    username: row.username,
    role: row.role,
    mustChangePassword: row.must_change_password === 1,
  };
}

export async function deleteSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Signs a user out everywhere (password change); expired rows of anyone go too. */
export async function deleteUserSessions(db: Kysely<Database>, userId: string, now: number): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('expires_at', '<=', now)]))
    .execute();
}
