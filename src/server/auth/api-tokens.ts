import type { Kysely } from 'kysely';
import type { Principal } from '../http/principal.js';
import type { Database } from '../store/tables.js';
import { API_TOKEN_PREFIX, sha256Hex } from './credentials.js';

/** last_used_at is a hint for the UI, not an audit log: write it at most once a minute per token. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * The user behind an API token, or null when it is unknown or revoked. The user's role is read
 * fresh on every request, so a demotion applies to tokens at once.
 */
export async function principalFromToken(
  db: Kysely<Database>,
  token: string,
  now: number,
  onTouchError: (error: unknown) => void,
): Promise<Principal | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id',
      'api_tokens.last_used_at',
      'users.id as user_id',
      'users.username',
      'users.role',
      'users.must_change_password',
    ])
    .where('api_tokens.token_hash', '=', sha256Hex(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  if (row.last_used_at === null || now - row.last_used_at >= TOUCH_INTERVAL_MS) {
    // Never fatal: a read must not fail because this bookkeeping write did (e.g. DB read-only).
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .execute()
      .catch(onTouchError);
  }
  return {
    userId: row.user_id,
    username: row.username,
    role: row.role,
    via: 'token',
    mustChangePassword: row.must_change_password === 1,
  };
}
