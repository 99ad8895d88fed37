import type { Role } from './tables.js';

/** Tables of account administration (021) and removed environments (022); `Database` extends this. */
export interface AccountTables {
  user_invites: UserInviteRow;
  removed_environments: RemovedEnvironmentRow;
}

/** An environment deleted while its containers may still run (migration 022). */
export interface RemovedEnvironmentRow {
  project: string;
  app: string;
  env: string;
  removed_at: number;
}

/** A one-time invitation link; `id` is the sha256 of the token in the link. */
export interface UserInviteRow {
  id: string;
  role: Role;
  /** Username of the admin who made it. */
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** Username of the account created with it. */
  used_by: string | null;
}
