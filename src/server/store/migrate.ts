import type { Kysely, Migration } from 'kysely';
import * as createCoreTables from './migrations/001_create_core_tables.js';
import * as indexQueueLeases from './migrations/002_index_queue_leases.js';
import * as indexRunsForRecordsPage from './migrations/003_index_runs_for_records_page.js';
import * as keepWebhookEvents from './migrations/004_keep_webhook_events.js';
import * as registriesAndImages from './migrations/005_registries_and_images.js';
import * as applicationsAndReleases from './migrations/006_applications_and_releases.js';
import * as projectPublicBadge from './migrations/007_project_public_badge.js';
import * as environmentObservations from './migrations/008_environment_observations.js';
import * as pinWebhookRepository from './migrations/009_pin_webhook_repository.js';
import * as healthProbe from './migrations/010_health_probe.js';
import * as attemptsAndInstallationId from './migrations/011_attempts_and_installation_id.js';
import * as deliveryEvents from './migrations/012_delivery_events.js';
import * as agentLabels from './migrations/013_agent_labels.js';
import * as supersedeRuns from './migrations/014_supersede_runs.js';
import * as jobRetries from './migrations/015_job_retries.js';
import * as cacheStore from './migrations/016_cache_store.js';
import * as artifactsAndTestReports from './migrations/017_artifacts_and_test_reports.js';
import * as deliveryInsights from './migrations/018_delivery_insights.js';
import * as notificationsAndCommitStatuses from './migrations/019_notifications_and_commit_statuses.js';
import * as signInIdentities from './migrations/020_sign_in_identities.js';
import * as userLifecycle from './migrations/021_user_lifecycle.js';
import * as removedEnvironments from './migrations/022_removed_environments.js';
import * as agentInfo from './migrations/023_agent_info.js';
import * as releaseImpact from './migrations/024_release_impact.js';
import * as projectAccess from './migrations/025_project_access.js';
import * as backfillInsights from './migrations/027_backfill_insights.js';
import * as trafficReports from './migrations/029_traffic_reports.js';
import * as reasonParams from './migrations/030_reason_params.js';
import * as behaviourRetention from './migrations/031_behaviour_retention.js';
import { runMigrations } from './run-migrations.js';

/**
 * Migrations are numbered and named by intent, listed here (not discovered on disk) so a bundled
 * build has them too. Each runs in its own transaction with the row that records it
 * (run-migrations.ts), so a crash mid-way loses nothing and re-running is a no-op.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '001_create_core_tables': createCoreTables,
  '002_index_queue_leases': indexQueueLeases,
  '003_index_runs_for_records_page': indexRunsForRecordsPage,
  '004_keep_webhook_events': keepWebhookEvents,
  '005_registries_and_images': registriesAndImages,
  '006_applications_and_releases': applicationsAndReleases,
  '007_project_public_badge': projectPublicBadge,
  '008_environment_observations': environmentObservations,
  '009_pin_webhook_repository': pinWebhookRepository,
  '010_health_probe': healthProbe,
  '011_attempts_and_installation_id': attemptsAndInstallationId,
  '012_delivery_events': deliveryEvents,
  '013_agent_labels': agentLabels,
  '014_supersede_runs': supersedeRuns,
  '015_job_retries': jobRetries,
  '016_cache_store': cacheStore,
  '017_artifacts_and_test_reports': artifactsAndTestReports,
  '018_delivery_insights': deliveryInsights,
  '019_notifications_and_commit_statuses': notificationsAndCommitStatuses,
  '020_sign_in_identities': signInIdentities,
  '021_user_lifecycle': userLifecycle,
  '022_removed_environments': removedEnvironments,
  '023_agent_info': agentInfo,
  '024_release_impact': releaseImpact,
  '025_project_access': projectAccess,
  '027_backfill_insights': backfillInsights,
  '029_traffic_reports': trafficReports,
  '030_reason_params': reasonParams,
  '031_behaviour_retention': behaviourRetention,
};

/** Brings the database to the latest schema; the names applied (none when it was current). */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  return runMigrations(db, MIGRATIONS);
}
