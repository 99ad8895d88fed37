/**
 * A copy-on-write view of a saved cache generation for one job: an overlay whose lower layer is
 * the generation's data volume (never written) and whose upper and work layers are two scratch
 * volumes of the job. The engine's `local` volume driver mounts it when the job's container
 * starts, so a hit costs a few API calls, not a copy; what the job changes lands in its own
 * upper layer and is thrown away with it. Concurrent jobs each get their own upper layer.
 */
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { removeVolume, volumeDirectory } from './cache-volumes.js';
import { engineMessage, isNotFound } from './errors.js';
import { resourceName } from './labels.js';

/** On overlay volumes: the data volume they read, so pruning leaves generations in use alone. */
export const LABEL_CACHE_LOWER = 'io.slipway.cache.lower';

export function overlayOptions(lower: string, upper: string, work: string): Record<string, string> {
  return { type: 'overlay', device: 'overlay', o: `lowerdir=${lower},upperdir=${upper},workdir=${work}` };
}

export interface Overlay {
  /** The volume to mount at the cache path. */
  volume: string;
  /** Removes the overlay and its scratch layers (after the job's container is gone). */
  remove(): Promise<void>;
  /** A private copy instead of an overlay (an engine that cannot mount overlays). */
  copied?: boolean;
}

/** Null when the data volume is gone (a pruned generation): the caller treats that as a miss. */
export async function createOverlay(
  docker: Dockerode,
  dataVolume: string,
  runId: string,
  job: string,
  labels: Record<string, string>,
): Promise<Overlay | null> {
  const lower = await volumeDirectory(docker, dataVolume);
  if (lower === null) return null;
  // A retried job, or two caches of one job, must not share scratch layers.
  const tag = randomBytes(4).toString('hex');
  const names = ['u', 'w', 'o'].map((part) => resourceName(runId, job, `cache-${tag}-${part}`));
  const [upperName, workName, overlayName] = names as [string, string, string];
  const scratch = { ...labels, [LABEL_CACHE_LOWER]: dataVolume };
  const created: string[] = [];
  const remove = async (): Promise<void> => {
    // The overlay first: its layers are only free once nothing mounts them.
    for (const name of [...created].reverse()) await removeVolume(docker, name);
  };
  try {
    await docker.createVolume({ Name: upperName, Labels: scratch });
    created.push(upperName);
    await docker.createVolume({ Name: workName, Labels: scratch });
    created.push(workName);
    const [upper, work] = await Promise.all([
      volumeDirectory(docker, upperName),
      volumeDirectory(docker, workName),
    ]);
    if (upper === null || work === null) throw new Error('a scratch volume vanished while being created');
    await docker.createVolume({
      Name: overlayName,
      Driver: 'local',
      DriverOpts: overlayOptions(lower, upper, work),
      Labels: scratch,
    });
    created.push(overlayName);
  } catch (err) {
    await remove().catch(() => {});
    throw err;
  }
  return { volume: overlayName, remove };
}

/** Data volumes some job's overlay reads right now (generations pruning must leave alone). */
export async function volumesInUse(docker: Dockerode): Promise<Set<string>> {
  const { Volumes: volumes } = await docker.listVolumes({ filters: { label: [LABEL_CACHE_LOWER] } });
  return new Set((volumes ?? []).map((v) => v.Labels?.[LABEL_CACHE_LOWER] ?? '').filter(Boolean));
}

/**
 * Whether the engine can mount `overlay` (an engine whose volume directory is on a filesystem
 * overlayfs refuses, or one without the module, cannot): null when it can, else the engine's
 * words. Asked through the archive API of a never-started container: reading from it makes the
 * engine mount the container's volumes as a start would.
 */
export async function overlayProblem(
  docker: Dockerode,
  overlay: string,
  image: string,
  labels: Record<string, string>,
): Promise<string | null> {
  const carrier = await docker.createContainer({
    name: `slipway-cache-probe-${randomBytes(6).toString('hex')}`,
    Image: image,
    Entrypoint: ['/bin/true'],
    Labels: labels,
    NetworkDisabled: true,
    HostConfig: { Mounts: [{ Type: 'volume', Source: overlay, Target: '/c', ReadOnly: true }] },
  });
  try {
    // A read (a stat does not mount) of a path that is not there: the engine mounts first, so
    // "not found" means the mount worked, and nothing of the cache is read.
    const tar = (await carrier.getArchive({ path: '/c/.slipway-mount-probe' })) as { destroy?: () => void };
    tar.destroy?.();
    return null;
  } catch (err) {
    return isNotFound(err) ? null : engineMessage(err);
  } finally {
    await carrier.remove({ force: true }).catch(() => {});
  }
}
