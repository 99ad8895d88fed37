/**
 * The image to deploy must be on the agent's engine: a local image (built by a build job) is
 * used as is; a missing one is pulled, bounded by a timeout. Returns a failure reason or null.
 */
import type Dockerode from 'dockerode';
import { engineMessage, isNotFound } from '../backends/docker/errors.js';
import { readProgress } from '../backends/docker/progress.js';
import type { DeployLog } from './deploy-target.js';
import { type Why, why } from './release-why.js';

export async function ensureLocalImage(
  docker: Dockerode,
  image: string,
  log: DeployLog,
  pullTimeoutMs: number,
): Promise<{ id: string } | Why> {
  try {
    return { id: (await docker.getImage(image).inspect()).Id };
  } catch (err) {
    if (!isNotFound(err)) {
      const detail = engineMessage(err);
      return why('image_inspect_failed', { image, detail }, `inspecting image ${image}: ${detail}`);
    }
  }
  log(`image ${image} is not on this engine; pulling it`);
  const timeout = AbortSignal.timeout(pullTimeoutMs);
  try {
    await readProgress(await docker.pull(image, { abortSignal: timeout }));
    return { id: (await docker.getImage(image).inspect()).Id };
  } catch (err) {
    const lead = `image ${image} is not on this engine and could not be pulled`;
    if (timeout.aborted) {
      const seconds = Math.round(pullTimeoutMs / 1000);
      return why(
        'image_pull_timeout',
        { image, seconds },
        `${lead}: the pull did not finish within ${seconds} s`,
      );
    }
    const detail = engineMessage(err);
    return why('image_pull_failed', { image, detail }, `${lead}: ${detail}`);
  }
}
