import type { Kysely } from 'kysely';
import type { Database, Role, UserRow } from '../store/tables.js';
import type { UserInviteRow } from '../store/tables-accounts.js';
import { randomSecret, sha256Hex } from './credentials.js';
import { createUser } from './users.js';

/** How long an invitation link works unless the admin says otherwise. */
export const DEFAULT_INVITE_TTL_HOURS = 72;

export interface InviteJson {
  id: string;
  role: Role;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  usedBy: string | null;
}

export function inviteJson(row: UserInviteRow): InviteJson {
  return {
    id: row.id.slice(0, 12),
    role: row.role,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    usedBy: row.used_by,
  };
}

/**
 * A one-time invitation: the token goes into a link the admin hands over; only its sha256 is
 * stored, so a database dump cannot be turned into accounts. The public id is a prefix of that
 * hash (enough to list and revoke, useless to accept).
 */
export async function createInvite(
  db: Kysely<Database>,
  input: { role: Role; createdBy: string; ttlHours: number },
  now: number,
): Promise<{ token: string; invite: InviteJson }> {
  const token = randomSecret();
  const row: UserInviteRow = {
    id: sha256Hex(token),
    role: input.role,
    created_by: input.createdBy,
    created_at: now,
    expires_at: now + input.ttlHours * 3_600_000,
    used_at: null,
    used_by: null,
  };
  await db.insertInto('user_invites').values(row).execute();
  return { token, invite: inviteJson(row) };
}

/**
 * Creates the account of an invitation and uses the invitation up, in one transaction: two
 * people racing with one link get one account; an expired, used or unknown link creates none.
 * Returns null in that case (the caller answers one "invalid or used" error for all three).
 */
export async function acceptInvite(
  db: Kysely<Database>,
  token: string,
  account: { username: string; password: string },
  now: number,
): Promise<UserRow | null> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('user_invites')
      .set({ used_at: now, used_by: account.username })
      .where('id', '=', sha256Hex(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['role'])
      .executeTakeFirst();
    if (!claimed) return null;
    return createUser(trx, { ...account, role: claimed.role }, now);
  });
}
