/**
 * Decrypting a project's secrets for a lease (a job's environment, a deploy's variables). The
 * callers differ in what a missing or undecryptable secret means, so this only reports them;
 * never the value or the cipher text, the name is enough to act on.
 */
import type { Kysely } from 'kysely';
import type { SecretBox } from '../services.js';
import type { Database } from '../store/tables.js';

export type OpenedSecrets =
  | { values: Record<string, string>; missing: string[] }
  | { undecryptable: string; missing: string[] };

/** The named secrets of the project that exist, decrypted; stops at the first one the key cannot open. */
export async function openProjectSecrets(
  deps: { db: Kysely<Database>; secretBox: SecretBox },
  projectId: string,
  names: string[],
): Promise<OpenedSecrets> {
  if (names.length === 0) return { values: {}, missing: [] };
  const rows = await deps.db
    .selectFrom('secrets')
    .select(['name', 'value'])
    .where('project_id', '=', projectId)
    .where('name', 'in', names)
    .execute();
  const missing = names.filter((n) => !rows.some((r) => r.name === n));
  const values: Record<string, string> = {};
  for (const row of rows) {
    try {
      values[row.name] = deps.secretBox.open(row.value);
    } catch {
      return { undecryptable: row.name, missing };
    }
  }
  return { values, missing };
}
