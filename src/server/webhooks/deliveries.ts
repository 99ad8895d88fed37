import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Forge } from '../store/tables.js';
import type { HookRun } from './hook-event.js';

/**
 * Forges retry a delivery they think failed (a timeout, a 5xx), so one push can arrive twice;
 * it must start one run. The delivery is recorded *before* any work: the insert either claims
 * the id (first time) or finds it taken (a retry). Insert-or-nothing is one atomic statement, so
 * two copies arriving at once cannot both win.
 *
 * The same insert keeps the classified event, so a run lost to a crash after the 202 can be
 * re-driven at restart (recover-deliveries.ts). Whoever creates the run first claims it with
 * `claimRunStart` — one atomic UPDATE — so the live request and a recovery never both create it.
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
  hook: HookRun,
  now: number,
): Promise<boolean> {
  const result = await db
    .insertInto('deliveries')
    .values({
      id: key,
      project_id: projectId,
      received_at: now,
      run_id: null,
      event: JSON.stringify(hook),
      started_at: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function recordDeliveryRun(db: Kysely<Database>, key: string, runId: string): Promise<void> {
  await db.updateTable('deliveries').set({ run_id: runId }).where('id', '=', key).execute();
}

/**
 * True when this caller may create the delivery's run: nobody created it or is creating it.
 * Called just before `createRun`, after the (slow) fetch.
 */
export async function claimRunStart(db: Kysely<Database>, key: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ started_at: now })
    .where('id', '=', key)
    .where('run_id', 'is', null)
    .where('started_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Gives the claim back after `createRun` failed, so a restart retries the delivery once. */
export async function releaseRunStart(db: Kysely<Database>, key: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ started_at: null })
    .where('id', '=', key)
    .where('run_id', 'is', null)
    .execute();
}
