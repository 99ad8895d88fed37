import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as createCoreTables from './migrations/001_create_core_tables.js';
import * as indexQueueLeases from './migrations/002_index_queue_leases.js';
import * as indexRunsForRecordsPage from './migrations/003_index_runs_for_records_page.js';
import * as keepWebhookEvents from './migrations/004_keep_webhook_events.js';
import * as registriesAndImages from './migrations/005_registries_and_images.js';
import * as applicationsAndReleases from './migrations/006_applications_and_releases.js';
import * as projectPublicBadge from './migrations/007_project_public_badge.js';
import * as environmentObservations from './migrations/008_environment_observations.js';
import * as attemptsAndInstallationId from './migrations/011_attempts_and_installation_id.js';

/**
 * Migrations are numbered and named by intent, listed here (not discovered on disk) so a bundled
 * build has them too. Kysely runs each in a transaction and records it, so re-running is a no-op.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001_create_core_tables': createCoreTables,
  '002_index_queue_leases': indexQueueLeases,
  '003_index_runs_for_records_page': indexRunsForRecordsPage,
  '004_keep_webhook_events': keepWebhookEvents,
  '005_registries_and_images': registriesAndImages,
  '006_applications_and_releases': applicationsAndReleases,
  '007_project_public_badge': projectPublicBadge,
  '008_environment_observations': environmentObservations,
  '011_attempts_and_installation_id': attemptsAndInstallationId,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
