import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Forge } from '../store/tables.js';

/**
 * Forges retry a delivery they think failed (a timeout, a 5xx), so one push can arrive twice;
 * it must start one run. The delivery is recorded *before* any work: the insert either claims
 * the id (first time) or finds it taken (a retry). Insert-or-nothing is one atomic statement, so
 * two copies arriving at once cannot both win.
 */

/** `<forge>:<id>`; without a usable id from the forge, the body's hash (identical retries match). */
export function deliveryKey(forge: Forge, forgeId: string | null, raw: Buffer): string {
  const id =
    forgeId && /^[\w.:-]{1,200}$/.test(forgeId)
      ? forgeId
      : `body-${createHash('sha256').update(raw).digest('hex')}`;
  return `${forge}:${id}`;
}

/** True when this call recorded the delivery; false when it had been seen before. */
export async function claimDelivery(
  db: Kysely<Database>,
  key: string,
  projectId: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .insertInto('deliveries')
    .values({ id: key, project_id: projectId, received_at: now, run_id: null })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function recordDeliveryRun(db: Kysely<Database>, key: string, runId: string): Promise<void> {
  await db.updateTable('deliveries').set({ run_id: runId }).where('id', '=', key).execute();
}
