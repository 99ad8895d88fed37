import type { Transaction } from 'kysely';
import type { Database } from '../store/tables.js';

/**
 * A deleted project's channels and forge token go with it (they are secrets); its delivery log
 * goes too, except rows still waiting, which then fail as "the channel was deleted".
 */
export async function deleteProjectIntegrations(
  trx: Transaction<Database>,
  projectId: string,
): Promise<void> {
  await trx.deleteFrom('notification_channels').where('project_id', '=', projectId).execute();
  await trx.deleteFrom('commit_status_settings').where('project_id', '=', projectId).execute();
  await trx
    .deleteFrom('outbound_deliveries')
    .where('project_id', '=', projectId)
    .where('status', 'in', ['succeeded', 'failed', 'superseded'])
    .execute();
}
