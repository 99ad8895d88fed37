import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RegistryInputJson, RegistryJsonType } from '../../api/images.js';
import { invalid, notFound } from '../errors.js';
import { type OutboundPolicy, OutboundRefused, UnresolvableHost } from '../git/outbound-policy.js';
import type { SecretBox } from '../services.js';
import type { Database, RegistryRow } from '../store/tables.js';
import { normaliseRegistryHost, RegistryHostError } from './registry-host.js';

export interface RegistryDeps {
  db: Kysely<Database>;
  secretBox: SecretBox;
  now: () => number;
}

/** Adding a registry also needs the outbound policy: its host is a user-chosen destination. */
export interface AddRegistryDeps extends RegistryDeps {
  outbound: OutboundPolicy;
}

/** Where a registry entry lives: every project (`global`) or one project. */
export type RegistryScope = { kind: 'global' } | { kind: 'project'; id: string; name: string };

export interface RegistryCredential {
  host: string;
  username: string;
  password: string;
}

/** A stored password that this server's key cannot open (the key changed); names the host only. */
export class UndecryptableRegistry extends Error {}

const scopeKey = (scope: RegistryScope) => (scope.kind === 'global' ? 'global' : scope.id);

const SAFE_COLUMNS = ['id', 'project_id', 'host', 'username', 'created_at', 'created_by'] as const;
type SafeRow = Pick<RegistryRow, (typeof SAFE_COLUMNS)[number]>;

/**
 * Registry credentials (security rules 6 and 8): the password is sealed with the server key
 * before it is stored and never read back except to hand it to an agent for a push. Adding a
 * host that the scope already has replaces its credentials (rotating a password is one call).
 */
export async function listRegistries(deps: RegistryDeps, scope: RegistryScope): Promise<RegistryJsonType[]> {
  const rows = await deps.db
    .selectFrom('registries')
    .select(SAFE_COLUMNS) // never `password`
    .where('scope', '=', scopeKey(scope))
    .orderBy('host')
    .execute();
  return rows.map((row) => registryJson(row, scope));
}

export async function addRegistry(
  deps: AddRegistryDeps,
  scope: RegistryScope,
  input: RegistryInputJson,
  by: string,
): Promise<RegistryJsonType> {
  let host: string;
  try {
    host = normaliseRegistryHost(input.host);
  } catch (error) {
    if (error instanceof RegistryHostError) throw invalid('body.host', `body.host: ${error.message}`);
    throw error;
  }
  // Security rule 11: the server checks it (and agents push to it); loopback, link-local and
  // private addresses only when SLIPWAY_OUTBOUND_ALLOWLIST names them. A name that does not
  // resolve yet is stored: storing connects nowhere, and every use (the connection check, each
  // lease that pushes there) resolves and checks it again, refusing what does not resolve.
  try {
    await deps.outbound.check({ kind: 'http', url: new URL(`https://${host}/`), authorization: null });
  } catch (error) {
    if (!(error instanceof OutboundRefused)) throw error;
    if (!(error instanceof UnresolvableHost)) {
      throw invalid(
        'body.host',
        `body.host: ${error.message} (SLIPWAY_OUTBOUND_ALLOWLIST lists the hosts and addresses allowed)`,
      );
    }
  }
  const sealed = deps.secretBox.seal(input.password);
  const now = deps.now();
  await deps.db
    .insertInto('registries')
    .values({
      id: randomUUID(),
      project_id: scope.kind === 'global' ? null : scope.id,
      scope: scopeKey(scope),
      host,
      username: input.username,
      password: sealed,
      created_at: now,
      created_by: by,
    })
    .onConflict((oc) =>
      oc
        .columns(['scope', 'host'])
        .doUpdateSet({ username: input.username, password: sealed, created_at: now, created_by: by }),
    )
    .execute();
  const row = await deps.db
    .selectFrom('registries')
    .select(SAFE_COLUMNS)
    .where('scope', '=', scopeKey(scope))
    .where('host', '=', host)
    .executeTakeFirstOrThrow();
  return registryJson(row, scope);
}

export async function removeRegistry(deps: RegistryDeps, scope: RegistryScope, id: string): Promise<void> {
  const result = await deps.db
    .deleteFrom('registries')
    .where('id', '=', id)
    .where('scope', '=', scopeKey(scope))
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound(`registry ${id}`);
}

/** One entry with its password opened (for the connection check), or 404 outside the scope. */
export async function registryWithPassword(
  deps: RegistryDeps,
  scope: RegistryScope,
  id: string,
): Promise<RegistryCredential> {
  const row = await deps.db
    .selectFrom('registries')
    .select(['host', 'username', 'password'])
    .where('id', '=', id)
    .where('scope', '=', scopeKey(scope))
    .executeTakeFirst();
  if (!row) throw notFound(`registry ${id}`);
  return { host: row.host, username: row.username, password: open(deps, row) };
}

/**
 * The credentials a project's runs push with: its own entries, and global ones for hosts it has
 * no entry for (a project entry wins over the global entry of the same host).
 */
export async function resolveRegistryCredentials(
  deps: Pick<RegistryDeps, 'db' | 'secretBox'>,
  projectId: string,
): Promise<RegistryCredential[]> {
  const rows = await deps.db
    .selectFrom('registries')
    .select(['host', 'username', 'password', 'project_id'])
    .where((eb) => eb.or([eb('scope', '=', projectId), eb('scope', '=', 'global')]))
    .orderBy('host')
    .execute();
  const byHost = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    const seen = byHost.get(row.host);
    if (!seen || (seen.project_id === null && row.project_id !== null)) byHost.set(row.host, row);
  }
  return [...byHost.values()].map((row) => ({
    host: row.host,
    username: row.username,
    password: open(deps, row),
  }));
}

function open(deps: Pick<RegistryDeps, 'secretBox'>, row: { host: string; password: string }): string {
  try {
    return deps.secretBox.open(row.password);
  } catch {
    // Never the cipher text: the host is enough to act on.
    throw new UndecryptableRegistry(
      `the password of registry ${row.host} cannot be decrypted with this server's key (was SLIPWAY_SECRET_KEY changed?)`,
    );
  }
}

function registryJson(row: SafeRow, scope: RegistryScope): RegistryJsonType {
  return {
    id: row.id,
    scope: row.project_id === null ? 'global' : 'project',
    project: scope.kind === 'project' ? scope.name : null,
    host: row.host,
    username: row.username,
    hasPassword: true,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}
