import type { Kysely } from 'kysely';
import type { Database, Role } from '../store/tables.js';

/**
 * The credential a request was authenticated with, kept (as the stored key: a token's hash, a
 * session's id — never the secret itself) so long-lived responses can ask later whether it
 * still holds.
 */
export type RequestCredential = { kind: 'token'; tokenHash: string } | { kind: 'session'; sessionId: string };

export interface CurrentHolder {
  userId: string;
  role: Role;
}

/**
 * Who a credential stands for right now: null once the token is revoked, the session signed out
 * or expired, the user disabled, or deleted (both rows cascade from users). One indexed lookup by primary
 * key or unique hash — cheap enough to repeat every few seconds per open stream. Unlike
 * authentication it writes nothing (no last-used bookkeeping).
 */
export async function currentHolder(
  db: Kysely<Database>,
  credential: RequestCredential,
  now: number,
): Promise<CurrentHolder | null> {
  if (credential.kind === 'token') {
    const row = await db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['users.id as user_id', 'users.role'])
      .where('api_tokens.token_hash', '=', credential.tokenHash)
      .where('api_tokens.revoked_at', 'is', null)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    return row ? { userId: row.user_id, role: row.role } : null;
  }
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id as user_id', 'users.role'])
    .where('sessions.id', '=', credential.sessionId)
    .where('sessions.expires_at', '>', now)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? { userId: row.user_id, role: row.role } : null;
}

const RANK: Record<Role, number> = { viewer: 1, maintainer: 2, admin: 3 };

/** The same ordering requireRole applies (http/principal.ts). */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}
