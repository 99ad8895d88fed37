import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { Database } from '../store/tables.js';
import { releaseBuiltImage } from './auto-release.js';
import type { ReleaseService } from './release-service.js';

export interface ReleaseFollowUpDeps {
  db: Kysely<Database>;
  log: Pick<FastifyBaseLogger, 'warn'>;
  /** Lazy: the release service needs the run service, which is built after the bus. */
  releases: () => ReleaseService;
}

/**
 * Releases follow their runs through the delivery event bus: a deploy job's report updates its
 * release, a release whose job or run ended some other way (agent lost, canceled, refused) ends
 * with it, and a built image of a matching branch starts auto releases. The run's own state was
 * committed before any of this runs; a failure here is logged by the bus and never touches the
 * run or the agent's report. Returns the unsubscribe function.
 */
export function followReleases(bus: DeliveryEventBus, deps: ReleaseFollowUpDeps): () => void {
  return bus.subscribe(
    'releases',
    async (event) => {
      if (!event.runId) return;
      const releases = deps.releases();
      if (event.type === 'run.finished') {
        await releases.syncWithRun(event.runId);
        return;
      }
      if (event.type !== 'job.started' && event.type !== 'job.finished') return;
      const report = event.data.report;
      if (report?.release) await releases.applyJobResult(event.runId, report);
      await releases.syncWithRun(event.runId);
      if (event.type === 'job.finished' && report?.image && report.status === 'succeeded') {
        await releaseBuiltImage({ db: deps.db, releases, log: deps.log }, event.runId, report.image);
      }
    },
    ['job.started', 'job.finished', 'run.finished'],
  );
}
