import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { conflict } from '../errors.js';
import type { Database, Role, UserRow } from '../store/tables.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { hashPassword } from './passwords.js';

/** The users aggregate: the few reads and writes the routes and bootstrap share. */
export const USERNAME = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'lowercase letters, digits, "_", "." or "-", at most 32');
export const PASSWORD = z.string().min(12, 'at least 12 characters').max(1024, 'at most 1024 characters');
export const ROLE = z.enum(['admin', 'maintainer', 'viewer']);

export interface UserJson {
  username: string;
  role: Role;
  createdAt: number;
  disabled: boolean;
  mustChangePassword: boolean;
}

export function userJson(
  row: Pick<UserRow, 'username' | 'role' | 'created_at' | 'disabled_at' | 'must_change_password'>,
): UserJson {
  return {
    username: row.username,
    role: row.role,
    createdAt: row.created_at,
    disabled: row.disabled_at !== null,
    mustChangePassword: row.must_change_password === 1,
  };
}

export function findUser(db: Kysely<Database>, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function createUser(
  db: Kysely<Database>,
  input: { username: string; password: string; role: Role; mustChangePassword?: boolean },
  now: number,
): Promise<UserRow> {
  const row: UserRow = {
    id: randomUUID(),
    username: input.username,
    password_hash: await hashPassword(input.password),
    role: input.role,
    created_at: now,
    must_change_password: input.mustChangePassword ? 1 : 0,
    disabled_at: null,
  };
  try {
    await db.insertInto('users').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`user "${input.username}" already exists`);
    throw error;
  }
  return row;
}

export async function countAdmins(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
