import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import { type CatalogueDeps, recordBuiltImage } from './image-catalogue.js';

/**
 * The image catalogue follows build jobs through the delivery event bus: a job that ended
 * succeeded with an image in its agent report becomes versions in the catalogue (idempotent, so
 * a replayed event stores nothing twice). Returns the unsubscribe function.
 */
export function followBuiltImages(bus: DeliveryEventBus, deps: CatalogueDeps): () => void {
  return bus.subscribe(
    'images',
    async (event) => {
      if (event.type !== 'job.finished' || !event.runId) return;
      const report = event.data.report;
      if (report?.image && report.status === 'succeeded') {
        await recordBuiltImage(deps, event.runId, report.name, report.image);
      }
    },
    ['job.finished'],
  );
}
