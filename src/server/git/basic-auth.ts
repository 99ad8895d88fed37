import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../http/principal.js';
import type { Database } from '../store/tables.js';

/**
 * HTTP Basic for git clients, which cannot send a bearer token: the user name is a Slipway
 * user, the password one of that user's API tokens (never the login password, so a leaked
 * `.git-credentials` can be revoked without changing the password). The token is looked up by
 * its sha256, as tokens are stored, and must be unrevoked and belong to that very user.
 */

export function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function authenticateBasic(
  db: Kysely<Database>,
  header: string | undefined,
): Promise<Principal | null> {
  const credentials = parseBasicAuth(header);
  if (!credentials || credentials.password.length === 0 || credentials.password.length > 512) return null;
  const tokenHash = createHash('sha256').update(credentials.password).digest('hex');
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'users.id as userId',
      'users.username as username',
      'users.role as role',
      'users.must_change_password as mustChange',
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .where('users.username', '=', credentials.username)
    .executeTakeFirst();
  if (!row) return null;
  return {
    userId: row.userId,
    username: row.username,
    role: row.role,
    via: 'token',
    mustChangePassword: row.mustChange === 1,
  };
}
