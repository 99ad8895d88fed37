/**
 * Caches on the engine, as volumes. A saved cache is a *generation*: one data volume per path
 * plus a commit marker, an empty volume whose labels describe the generation (key, paths, size,
 * time). Volume creation is atomic, so a generation exists for readers exactly when its marker
 * does: a save writes its data volumes first and creates the marker last, and a crashed save
 * leaves only unmarked data volumes, which pruning removes. Generations are never written after
 * their marker exists; jobs see them through copy-on-write overlays (cache-mounts.ts), so
 * concurrent runs cannot corrupt each other.
 *
 * These volumes carry no run label: a run's teardown never touches them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { describeError, isNotFound, statusOf } from './errors.js';
import { inScope, LABEL_INSTALLATION } from './labels.js';

export const LABEL_CACHE = 'io.slipway.cache';
export const LABEL_CACHE_ID = 'io.slipway.cache.id';
export const LABEL_CACHE_NAMESPACE = 'io.slipway.cache.namespace';
export const LABEL_CACHE_KEY = 'io.slipway.cache.key';
export const LABEL_CACHE_GENERATION = 'io.slipway.cache.generation';
export const LABEL_CACHE_PATHS = 'io.slipway.cache.paths';
export const LABEL_CACHE_SIZE = 'io.slipway.cache.size';
export const LABEL_CACHE_CREATED = 'io.slipway.cache.created';

/** One saved generation, as its marker describes it. */
export interface CacheGeneration {
  /** The installation that saved it (null: a `slipway exec` outside any). */
  installation: string | null;
  id: string;
  namespace: string;
  key: string;
  generation: string;
  paths: string[];
  size: number;
  created: number;
  marker: string;
}

/**
 * The identity of a cache: project, key and the paths it keeps (the same key with other paths
 * is another cache, so a restore never mounts the wrong directory's contents).
 */
export function cacheId(namespace: string, key: string, paths: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([namespace, key, paths]))
    .digest('hex')
    .slice(0, 24);
}

export function newGeneration(now: number): string {
  return `${now.toString(36)}${randomBytes(3).toString('hex')}`;
}

export function dataVolumeName(id: string, generation: string, index: number): string {
  return `slipway-cache-${id}-${generation}-${index}`;
}

function markerName(id: string, generation: string): string {
  return `slipway-cache-${id}-${generation}`;
}

function scopeLabels(scope: string | undefined): Record<string, string> {
  return scope === undefined ? {} : { [LABEL_INSTALLATION]: scope };
}

/** Creates the (empty) data volume of one path of a generation being written. */
export async function createDataVolume(
  docker: Dockerode,
  scope: string | undefined,
  cache: { id: string; namespace: string; key: string },
  generation: string,
  index: number,
  now: number,
): Promise<string> {
  const name = dataVolumeName(cache.id, generation, index);
  await docker.createVolume({
    Name: name,
    Labels: {
      [LABEL_CACHE]: 'data',
      [LABEL_CACHE_ID]: cache.id,
      [LABEL_CACHE_NAMESPACE]: cache.namespace,
      [LABEL_CACHE_GENERATION]: generation,
      [LABEL_CACHE_CREATED]: String(now),
      ...scopeLabels(scope),
    },
  });
  return name;
}

/** Makes a written generation visible: the last step of a save. */
export async function commitGeneration(
  docker: Dockerode,
  scope: string | undefined,
  generation: Omit<CacheGeneration, 'marker' | 'installation'>,
): Promise<void> {
  await docker.createVolume({
    Name: markerName(generation.id, generation.generation),
    Labels: {
      [LABEL_CACHE]: 'commit',
      [LABEL_CACHE_ID]: generation.id,
      [LABEL_CACHE_NAMESPACE]: generation.namespace,
      // Labels hold any text; the key is what people recognise in listings.
      [LABEL_CACHE_KEY]: generation.key,
      [LABEL_CACHE_GENERATION]: generation.generation,
      [LABEL_CACHE_PATHS]: JSON.stringify(generation.paths),
      [LABEL_CACHE_SIZE]: String(generation.size),
      [LABEL_CACHE_CREATED]: String(generation.created),
      ...scopeLabels(scope),
    },
  });
}

/**
 * Every committed generation of this installation (optionally of one namespace), newest first.
 * `scope` null: of every installation on the engine (the operator's `slipway cache` view).
 */
export async function listGenerations(
  docker: Dockerode,
  scope: string | undefined | null,
  filter: { id?: string; namespace?: string } = {},
): Promise<CacheGeneration[]> {
  const label = [`${LABEL_CACHE}=commit`];
  if (filter.id !== undefined) label.push(`${LABEL_CACHE_ID}=${filter.id}`);
  if (filter.namespace !== undefined) label.push(`${LABEL_CACHE_NAMESPACE}=${filter.namespace}`);
  const { Volumes: volumes } = await docker.listVolumes({ filters: { label } });
  const out: CacheGeneration[] = [];
  for (const volume of volumes ?? []) {
    const labels = volume.Labels ?? {};
    if (scope !== null && !inScope(labels, scope)) continue;
    const parsed = parseMarker(volume.Name, labels);
    if (parsed) out.push(parsed);
  }
  return out.sort((a, b) => b.created - a.created || (a.generation < b.generation ? 1 : -1));
}

function parseMarker(name: string, labels: Record<string, string>): CacheGeneration | null {
  let paths: unknown;
  try {
    paths = JSON.parse(labels[LABEL_CACHE_PATHS] ?? '');
  } catch {
    return null;
  }
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) return null;
  const size = Number(labels[LABEL_CACHE_SIZE]);
  const created = Number(labels[LABEL_CACHE_CREATED]);
  const id = labels[LABEL_CACHE_ID];
  const generation = labels[LABEL_CACHE_GENERATION];
  if (!id || !generation || !Number.isFinite(created)) return null;
  return {
    installation: labels[LABEL_INSTALLATION] ?? null,
    id,
    namespace: labels[LABEL_CACHE_NAMESPACE] ?? '',
    key: labels[LABEL_CACHE_KEY] ?? '',
    generation,
    paths,
    size: Number.isFinite(size) ? size : 0,
    created,
    marker: name,
  };
}

/** The host directory of a volume (what an overlay mounts as its lower layer), or null if gone. */
export async function volumeDirectory(docker: Dockerode, name: string): Promise<string | null> {
  try {
    const info = (await docker.getVolume(name).inspect()) as { Mountpoint?: string };
    return info.Mountpoint ?? null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** Removes a volume; one that is gone is fine, one in use (409) is left and reported false. */
export async function removeVolume(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).remove();
    return true;
  } catch (err) {
    if (isNotFound(err)) return true;
    if (statusOf(err) === 409) return false;
    throw new Error(describeError(`removing volume ${name}`, err));
  }
}

/**
 * Removes a generation: its marker first (no new job can find it), then its data volumes. A data
 * volume a running job still mounts (as an overlay's lower layer the engine cannot see that, so
 * the overlay keeps working on the open directory) is left for the orphan sweep.
 */
export async function removeGeneration(docker: Dockerode, generation: CacheGeneration): Promise<void> {
  await removeVolume(docker, generation.marker);
  await Promise.all(
    generation.paths.map((_, i) =>
      removeVolume(docker, dataVolumeName(generation.id, generation.generation, i)),
    ),
  );
}
