/**
 * Removing cache generations on the engine: superseded ones after a save, and (from the
 * workspace pruner's pass) old ones and half-written leftovers of a crashed save. A generation
 * some job's overlay still reads is never removed: its lower layer must not change under it.
 */
import type Dockerode from 'dockerode';
import { volumesInUse } from './cache-overlay.js';
import {
  type CacheGeneration,
  dataVolumeName,
  LABEL_CACHE,
  LABEL_CACHE_CREATED,
  LABEL_CACHE_GENERATION,
  LABEL_CACHE_ID,
  listGenerations,
  removeGeneration,
  removeVolume,
} from './cache-volumes.js';
import { pruneWorkspaceVolumes } from './cleanup.js';
import { inScope } from './labels.js';

/** Caches saved longer ago than this go on the backend's periodic pass. */
export const CACHE_RETENTION_MS = 7 * 24 * 60 * 60_000;
/** A save is this long at most; an unmarked data volume older than this is a crash's leftover. */
const ORPHAN_AFTER_MS = 6 * 60 * 60_000;

function inUse(generation: CacheGeneration, busy: ReadonlySet<string>): boolean {
  return generation.paths.some((_, i) => busy.has(dataVolumeName(generation.id, generation.generation, i)));
}

/** After a save: every older generation of the same cache goes (unless a job reads it now). */
export async function pruneSuperseded(
  docker: Dockerode,
  scope: string | undefined,
  id: string,
): Promise<void> {
  const [newest, ...older] = await listGenerations(docker, scope, { id });
  if (!newest || older.length === 0) return;
  const busy = await volumesInUse(docker);
  for (const generation of older) if (!inUse(generation, busy)) await removeGeneration(docker, generation);
}

/**
 * Generations created before `createdBefore`, and data volumes no marker names (a save that
 * never finished). Returns how many generations went.
 */
export async function pruneCaches(
  docker: Dockerode,
  scope: string | undefined,
  createdBefore: number,
  now: number,
): Promise<number> {
  const generations = await listGenerations(docker, scope);
  const busy = await volumesInUse(docker);
  let removed = 0;
  for (const generation of generations) {
    if (generation.created >= createdBefore || inUse(generation, busy)) continue;
    await removeGeneration(docker, generation);
    removed += 1;
  }
  const committed = new Set(generations.map((g) => `${g.id}/${g.generation}`));
  const { Volumes: data } = await docker.listVolumes({ filters: { label: [`${LABEL_CACHE}=data`] } });
  for (const volume of data ?? []) {
    const labels = volume.Labels ?? {};
    if (!inScope(labels, scope) || busy.has(volume.Name)) continue;
    const created = Number(labels[LABEL_CACHE_CREATED]);
    const own = `${labels[LABEL_CACHE_ID]}/${labels[LABEL_CACHE_GENERATION]}`;
    if (!committed.has(own) && Number.isFinite(created) && created < now - ORPHAN_AFTER_MS) {
      await removeVolume(docker, volume.Name);
    }
  }
  return removed;
}

/**
 * The backend's periodic pass: kept workspaces past their retention, and caches saved more than
 * `cacheRetentionMs` ago (by age, not last use: a changed lock file is a new key anyway, so an
 * old generation is mostly an unused one). Both are attempted; a failure is thrown after.
 */
export async function pruneWorkspacesAndCaches(
  docker: Dockerode,
  scope: string | undefined,
  createdBefore: number,
  inUse: ReadonlySet<string>,
  cacheRetentionMs = CACHE_RETENTION_MS,
): Promise<string[]> {
  const now = Date.now();
  const [workspaces, caches] = await Promise.allSettled([
    pruneWorkspaceVolumes(docker, createdBefore, inUse, scope),
    pruneCaches(docker, scope, now - cacheRetentionMs, now),
  ]);
  if (caches.status === 'rejected') throw caches.reason;
  if (workspaces.status === 'rejected') throw workspaces.reason;
  return workspaces.value;
}

/** Removes these generations except those a running job reads now; returns how many of each. */
export async function clearGenerations(
  docker: Dockerode,
  generations: CacheGeneration[],
): Promise<{ removed: number; inUse: number }> {
  const busy = await volumesInUse(docker);
  let removed = 0;
  for (const generation of generations) {
    if (inUse(generation, busy)) continue;
    await removeGeneration(docker, generation);
    removed += 1;
  }
  return { removed, inUse: generations.length - removed };
}
