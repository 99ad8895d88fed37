import type { Kysely } from 'kysely';
import type { ReasonParams } from '../../api/reasons.js';
import { AppError } from '../errors.js';
import type { Database } from '../store/tables.js';

/**
 * The pipeline's `workflow:` does not apply to an event: no run is made. Thrown by
 * RunService.createRun before anything is stored; a manual or API run answers 409 with reason
 * `workflow` and the sentence; a webhook or push notes it on its delivery (`skip_reason`).
 */
export class WorkflowSkipped extends AppError {
  constructor(message: string, params?: ReasonParams) {
    super('conflict', `no run: ${message}`, undefined, 'workflow', params);
  }
}

/** The delivery's entry says why it made no run; its claim stays, so nobody tries again. */
export async function recordDeliverySkip(db: Kysely<Database>, key: string, reason: string): Promise<void> {
  await db.updateTable('deliveries').set({ skip_reason: reason }).where('id', '=', key).execute();
}
