import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OidcProviderConfig } from '../../config-notify.js';
import type { Database, UserRow } from '../../store/tables.js';
import { isUniqueViolation } from '../../store/unique-violation.js';
import type { ExternalIdentity } from './sign-in-providers.js';

/** Why a sign-in ends without a session; the sign-in page says it in the reader's language. */
export type SignInRefusal = 'identity_taken' | 'no_account';

export class SignInRefused extends Error {
  constructor(readonly code: SignInRefusal) {
    super(code);
  }
}

/**
 * The Slipway user of an external identity. Known identity: its user. Linking (a signed-in user
 * started the flow from their settings): the identity joins that user, unless it already belongs
 * to someone else. Otherwise a new user with the provider's default role — never matched to an
 * existing account by e-mail or login, which would let whoever controls that address on the
 * provider take the account over. Users made here have no password (sign-in only via provider).
 */
export async function userForIdentity(
  db: Kysely<Database>,
  provider: OidcProviderConfig,
  identity: ExternalIdentity,
  linkUserId: string | null,
  now: number,
): Promise<UserRow> {
  const known = await db
    .selectFrom('user_identities')
    .select('user_id')
    .where('provider', '=', provider.id)
    .where('subject', '=', identity.subject)
    .executeTakeFirst();
  if (known) {
    if (linkUserId && known.user_id !== linkUserId) throw new SignInRefused('identity_taken');
    await db
      .updateTable('user_identities')
      .set({ last_login_at: now, email: identity.email, login: identity.login })
      .where('provider', '=', provider.id)
      .where('subject', '=', identity.subject)
      .execute();
    const user = await db.selectFrom('users').selectAll().where('id', '=', known.user_id).executeTakeFirst();
    if (user) return user;
    // The user was deleted: the identity is stale and is made anew below.
    await db
      .deleteFrom('user_identities')
      .where('provider', '=', provider.id)
      .where('subject', '=', identity.subject)
      .execute();
  }
  let user: UserRow | undefined;
  if (linkUserId) {
    user = await db.selectFrom('users').selectAll().where('id', '=', linkUserId).executeTakeFirst();
  }
  if (!user) {
    if (!provider.allowSignUp) throw new SignInRefused('no_account');
    user = await createUserFor(db, provider, identity, now);
  }
  await db
    .insertInto('user_identities')
    .values({
      provider: provider.id,
      subject: identity.subject,
      user_id: user.id,
      email: identity.email,
      login: identity.login,
      created_at: now,
      last_login_at: now,
    })
    .execute();
  return user;
}

async function createUserFor(
  db: Kysely<Database>,
  provider: OidcProviderConfig,
  identity: ExternalIdentity,
  now: number,
): Promise<UserRow> {
  const base = usernameFrom(
    identity.login ?? identity.email?.split('@')[0] ?? `${provider.id}-${identity.subject}`,
  );
  for (let n = 1; n < 100; n++) {
    const username = n === 1 ? base : `${base.slice(0, 28)}-${n}`;
    // '!' is no valid password hash: the account signs in through its provider only.
    const row: UserRow = {
      id: randomUUID(),
      username,
      password_hash: '!',
      role: provider.defaultRole,
      created_at: now,
      must_change_password: 0,
      disabled_at: null,
    };
    try {
      await db.insertInto('users').values(row).execute();
      return row;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error('could not find a free username');
}

/** A Slipway username (lowercase letters, digits, `_.-`, at most 32) from a provider's login. */
export function usernameFrom(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 32)
    .replace(/[-.]+$/, '');
  return cleaned || 'user';
}
