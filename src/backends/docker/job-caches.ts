/**
 * The caches of one job on the Docker backend: before the job, each cache becomes a mount
 * (a copy-on-write overlay of the saved generation on a hit, a fresh volume when this job will
 * save one); after it, a fresh volume becomes a new generation — or is dropped. Nothing here
 * fails the job: a cache that cannot be restored or saved is a warning in the log, as a job
 * must give the same result with or without its cache.
 */
import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import { formatByteSize } from '../../domain/byte-size.js';
import { writeSystemLine } from '../../domain/system-line-codes.js';
import type { JobOutcome, JobOutput } from '../backend.js';
import type { JobCacheSpec } from '../cache-spec.js';
import { createOverlay, type Overlay, overlayProblem } from './cache-overlay.js';
import {
  cacheKeyFilesMissing,
  cacheOverlaysCopied,
  cacheRestoreFailed,
  cacheSaveFailed,
} from './cache-problem-lines.js';
import { pruneSuperseded } from './cache-prune.js';
import { restoreFromServer, uploadToServer } from './cache-remote.js';
import { copyVolume, measureVolumes } from './cache-transfer.js';
import {
  type CacheGeneration,
  cacheId,
  commitGeneration,
  createDataVolume,
  dataVolumeName,
  listGenerations,
  newGeneration,
  removeVolume,
} from './cache-volumes.js';
import { ensureCarrierImage } from './carrier-image.js';

export interface JobCacheDeps {
  docker: Dockerode;
  scope: string | undefined;
  runId: string;
  job: string;
  /** Labels for the job's scratch volumes and helper containers (swept with the run). */
  labels: Record<string, string>;
  /** A workspace file's text, or null when it does not exist (for `key: files:`). */
  readFile: (relative: string) => Promise<string | null>;
  /** The backend's memory of whether its engine mounts overlays (asked once). */
  overlayCheck: OverlayCheck;
  now?: () => number;
}

/** Null until asked; then whether overlays mount (null) or why not. */
export interface OverlayCheck {
  result: Promise<string | null> | null;
}

export interface VolumeMount {
  volume: string;
  target: string;
}

/** How the job ended, as far as saving is concerned. */
export type JobEndForCache = 'succeeded' | 'failed' | 'aborted';

export interface JobCaches {
  mounts: VolumeMount[];
  /** Saves what should be saved and removes the job's scratch volumes; call once the container is gone. */
  finish(end: JobEndForCache): Promise<void>;
}

/** One cache's part in a job: what to mount and what to do afterwards. */
interface Prepared {
  mounts: VolumeMount[];
  finish(end: JobEndForCache): Promise<void>;
}

export async function prepareJobCaches(
  deps: JobCacheDeps,
  caches: JobCacheSpec[],
  output: JobOutput,
): Promise<JobCaches> {
  const prepared: Prepared[] = [];
  for (const cache of caches) {
    try {
      prepared.push(await prepareOne(deps, cache, output));
    } catch (err) {
      cacheRestoreFailed(output, err);
    }
  }
  return {
    mounts: prepared.flatMap((p) => p.mounts),
    finish: async (end) => {
      for (const p of prepared) {
        try {
          await p.finish(end);
        } catch (err) {
          cacheSaveFailed(output, err);
        }
      }
    },
  };
}

async function prepareOne(deps: JobCacheDeps, cache: JobCacheSpec, output: JobOutput): Promise<Prepared> {
  const started = now(deps);
  const key = await resolveKey(deps, cache, output);
  const id = cacheId(cache.namespace, key, cache.paths);
  let exact = cache.restore ? await newestGeneration(deps, id) : null;
  // Not on this agent: another may have saved it to the server's cache store.
  if (!exact && cache.restore && cache.remote)
    exact = await restoreFromServer(
      remoteDeps(deps),
      cache.remote,
      cache.namespace,
      key,
      cache.paths,
      output,
    );
  if (exact) {
    const overlays = await overlaysOf(deps, exact, cache.paths, output);
    if (overlays) {
      const ms = now(deps) - started;
      writeSystemLine(
        output,
        'cache.restored',
        { key, bytes: exact.size, ms, how: overlays.some((o) => o.copied) ? 'copied' : 'mounted' },
        `cache: restored key ${key} (${formatByteSize(exact.size)}, ${ms} ms, ${howMounted(overlays)})`,
      );
      return {
        mounts: overlays.map((o, i) => ({ volume: o.volume, target: cache.paths[i] as string })),
        finish: async () => {
          // A key names its contents (a lock file's hash): its cache is written once, like
          // GitHub's; `policy: push` (or a new key) refreshes it.
          if (cache.save !== 'never')
            writeSystemLine(
              output,
              'cache.already_saved',
              { key },
              `cache: key ${key} already saved; not saved again`,
            );
          await Promise.all(overlays.map((o) => o.remove()));
        },
      };
    }
  }
  const fallback = cache.restore ? await firstFallback(deps, cache, output) : null;
  if (cache.save === 'never') {
    const reason = cache.noSaveReason ?? 'policy: pull';
    if (!fallback) {
      writeSystemLine(
        output,
        'cache.missed_no_save',
        { key, reason },
        `cache: no cache for key ${key}; nothing is saved (${reason})`,
      );
      return { mounts: [], finish: async () => {} };
    }
    const overlays = await overlaysOf(deps, fallback, cache.paths, output);
    if (!overlays) return { mounts: [], finish: async () => {} };
    const ms = now(deps) - started;
    writeSystemLine(
      output,
      'cache.restored_fallback_no_save',
      { key, fallback: fallback.key, bytes: fallback.size, ms, reason },
      `cache: restored fallback key ${fallback.key} for ${key} (${formatByteSize(fallback.size)}, ${ms} ms, ${howMounted(overlays)}); nothing is saved (${reason})`,
    );
    return {
      mounts: overlays.map((o, i) => ({ volume: o.volume, target: cache.paths[i] as string })),
      finish: async () => {
        await Promise.all(overlays.map((o) => o.remove()));
      },
    };
  }
  return prepareFresh(deps, cache, key, id, fallback, started, output);
}

/**
 * A job that will save: it writes into new data volumes of a new generation (seeded from the
 * fallback when there is one). Only the commit at the end makes them a cache.
 */
async function prepareFresh(
  deps: JobCacheDeps,
  cache: JobCacheSpec,
  key: string,
  id: string,
  fallback: CacheGeneration | null,
  started: number,
  output: JobOutput,
): Promise<Prepared> {
  const generation = newGeneration(now(deps));
  const identity = { id, namespace: cache.namespace, key };
  const volumes: string[] = [];
  try {
    for (let i = 0; i < cache.paths.length; i += 1) {
      volumes.push(await createDataVolume(deps.docker, deps.scope, identity, generation, i, now(deps)));
      if (fallback) {
        await copyVolume(
          deps.docker,
          dataVolumeName(fallback.id, fallback.generation, i),
          volumes[i] as string,
          deps.labels,
        );
      }
    }
  } catch (err) {
    await Promise.all(volumes.map((v) => removeVolume(deps.docker, v).catch(() => false)));
    throw err;
  }
  if (fallback) {
    const ms = now(deps) - started;
    writeSystemLine(
      output,
      'cache.restored_fallback',
      { key, fallback: fallback.key, bytes: fallback.size, ms },
      `cache: restored fallback key ${fallback.key} for ${key} (${formatByteSize(fallback.size)}, ${ms} ms, copied to be saved as ${key})`,
    );
  } else if (cache.restore)
    writeSystemLine(
      output,
      'cache.missed',
      { key },
      `cache: no cache for key ${key}; it is saved after the job`,
    );
  else
    writeSystemLine(
      output,
      'cache.push_only',
      { key },
      `cache: key ${key} is saved after the job (policy: push)`,
    );
  const drop = async (): Promise<void> => {
    await Promise.all(volumes.map((v) => removeVolume(deps.docker, v)));
  };
  return {
    mounts: volumes.map((volume, i) => ({ volume, target: cache.paths[i] as string })),
    finish: async (end) => {
      const wanted = end === 'succeeded' || (end === 'failed' && cache.save === 'always');
      if (!wanted) {
        writeSystemLine(
          output,
          'cache.not_saved',
          { key, cause: end === 'aborted' ? 'stopped' : 'failed' },
          `cache: key ${key} not saved (the job ${end === 'aborted' ? 'was stopped' : 'failed'})`,
        );
        await drop();
        return;
      }
      const saving = now(deps);
      const size = await measureVolumes(deps.docker, volumes, deps.labels);
      await commitGeneration(deps.docker, deps.scope, {
        id,
        namespace: cache.namespace,
        key,
        generation,
        paths: cache.paths,
        size,
        created: now(deps),
      });
      const ms = now(deps) - saving;
      writeSystemLine(
        output,
        'cache.saved',
        { key, bytes: size, ms },
        `cache: saved key ${key} (${formatByteSize(size)}, ${ms} ms)`,
      );
      await pruneSuperseded(deps.docker, deps.scope, id).catch(() => {});
      // So that other agents can start from it (trusted runs only: others never save).
      if (cache.remote)
        await uploadToServer(remoteDeps(deps), cache.remote, key, cache.paths, volumes, output);
    },
  };
}

/**
 * Read-only-to-the-cache views of a generation, one per path: copy-on-write overlays, or, on an
 * engine that cannot mount overlays, private copies (slower, but the cache is still never
 * written). Null when the generation's data is gone (pruned meanwhile): a miss.
 */
async function overlaysOf(
  deps: JobCacheDeps,
  generation: CacheGeneration,
  paths: string[],
  output: JobOutput,
): Promise<Overlay[] | null> {
  const views: Overlay[] = [];
  const release = () => Promise.all(views.map((v) => v.remove().catch(() => {})));
  try {
    for (let i = 0; i < paths.length; i += 1) {
      const data = dataVolumeName(generation.id, generation.generation, i);
      const overlay = await createOverlay(deps.docker, data, deps.runId, deps.job, deps.labels);
      if (overlay === null) {
        await release();
        return null;
      }
      views.push(overlay);
      deps.overlayCheck.result ??= ensureCarrierImage(deps.docker).then((image) =>
        overlayProblem(deps.docker, overlay.volume, image, deps.labels),
      );
      const problem = await deps.overlayCheck.result;
      if (problem !== null) {
        views.pop();
        await overlay.remove();
        if (i === 0) cacheOverlaysCopied(output, problem);
        views.push(await privateCopy(deps, data, i));
      }
    }
  } catch (err) {
    await release();
    throw err;
  }
  return views;
}

/** A scratch volume of the job holding a copy of `data` (removed with the job). */
async function privateCopy(deps: JobCacheDeps, data: string, index: number): Promise<Overlay> {
  const volume =
    `${dataVolumeName('copy', `${deps.runId}-${deps.job}`, index)}-${now(deps).toString(36)}`.replace(
      /[^a-zA-Z0-9_.-]/g,
      '-',
    );
  await deps.docker.createVolume({ Name: volume, Labels: deps.labels });
  const remove = async (): Promise<void> => {
    await removeVolume(deps.docker, volume);
  };
  try {
    await copyVolume(deps.docker, data, volume, deps.labels);
  } catch (err) {
    await remove().catch(() => {});
    throw err;
  }
  return { volume, remove, copied: true };
}

async function newestGeneration(deps: JobCacheDeps, id: string): Promise<CacheGeneration | null> {
  return (await listGenerations(deps.docker, deps.scope, { id }))[0] ?? null;
}

/** The first fallback key this agent has; else the first the server's cache store has. */
async function firstFallback(
  deps: JobCacheDeps,
  cache: JobCacheSpec,
  output: JobOutput,
): Promise<CacheGeneration | null> {
  for (const key of cache.fallbackKeys) {
    const found = await newestGeneration(deps, cacheId(cache.namespace, key, cache.paths));
    if (found) return found;
  }
  if (!cache.remote) return null;
  for (const key of cache.fallbackKeys) {
    const found = await restoreFromServer(
      remoteDeps(deps),
      cache.remote,
      cache.namespace,
      key,
      cache.paths,
      output,
    );
    if (found) return found;
  }
  return null;
}

function remoteDeps(deps: JobCacheDeps) {
  return { docker: deps.docker, scope: deps.scope, labels: deps.labels, now: () => now(deps) };
}

/**
 * The key's text: as written (variables already expanded), or `<prefix>-<hash>` of the lock
 * files' contents. A missing file counts as such (GitLab falls back to a fixed key there; a
 * hash of "missing" is the same thing, and says which files were absent).
 */
async function resolveKey(deps: JobCacheDeps, cache: JobCacheSpec, output: JobOutput): Promise<string> {
  if (cache.key.kind === 'text') return cache.key.text;
  const hash = createHash('sha256');
  const missing: string[] = [];
  for (const file of cache.key.files) {
    const text = await deps.readFile(file);
    if (text === null) missing.push(file);
    hash.update(`${file}\0${text === null ? 'missing' : createHash('sha256').update(text).digest('hex')}\0`);
  }
  if (missing.length > 0) cacheKeyFilesMissing(output, missing);
  const digest = hash.digest('hex').slice(0, 16);
  return cache.key.prefix ? `${cache.key.prefix}-${digest}` : digest;
}

export function cacheEnd(outcome: JobOutcome): JobEndForCache {
  if (outcome.kind === 'exited') return outcome.exitCode === 0 ? 'succeeded' : 'failed';
  // The job never ran (no image, engine trouble): nothing it wrote is worth keeping.
  return 'aborted';
}

function now(deps: JobCacheDeps): number {
  return (deps.now ?? Date.now)();
}

function howMounted(views: Overlay[]): string {
  return views.some((v) => v.copied) ? 'copied' : 'mounted copy-on-write';
}
