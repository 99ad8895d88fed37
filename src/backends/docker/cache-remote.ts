/**
 * Moving caches between this engine and the server's cache store — the only place a cache is
 * archived. An archive is a tar of a generation's data volumes, one top-level directory per
 * path (`0/…`, `1/…`), read from and written into volumes through a carrier container's
 * archive API (streamed both ways, never held in memory).
 */
import { Transform } from 'node:stream';
import type Dockerode from 'dockerode';
import { formatByteSize } from '../../domain/byte-size.js';
import { writeSystemLine } from '../../domain/system-line-codes.js';
import type { JobOutput } from '../backend.js';
import { checkedCacheArchive } from '../cache-archive-check.js';
import type { CacheRemote } from '../cache-spec.js';
import {
  remoteCacheAskFailed,
  remoteCacheRestoreFailed,
  remoteCacheUploadFailed,
} from './cache-problem-lines.js';
import { withCarrier } from './cache-transfer.js';
import {
  type CacheGeneration,
  cacheId,
  commitGeneration,
  createDataVolume,
  newGeneration,
  removeVolume,
} from './cache-volumes.js';

export interface RemoteDeps {
  docker: Dockerode;
  scope: string | undefined;
  labels: Record<string, string>;
  now: () => number;
}

/**
 * Asks the server for `key`'s archive and, when it has one, unpacks it (checked entry by
 * entry) into a new local generation, committed like a save. Null when the server has none, or
 * when the download failed or was refused (said in the log): the job then goes on without it.
 */
export async function restoreFromServer(
  deps: RemoteDeps,
  remote: CacheRemote,
  namespace: string,
  key: string,
  paths: string[],
  output: JobOutput,
): Promise<CacheGeneration | null> {
  const started = deps.now();
  let archive: Awaited<ReturnType<CacheRemote['download']>>;
  try {
    archive = await remote.download({ key, paths });
  } catch (err) {
    remoteCacheAskFailed(output, key, err);
    return null;
  }
  if (!archive) return null;
  const id = cacheId(namespace, key, paths);
  const generation = newGeneration(deps.now());
  const identity = { id, namespace, key };
  const volumes: string[] = [];
  try {
    for (let i = 0; i < paths.length; i += 1) {
      volumes.push(await createDataVolume(deps.docker, deps.scope, identity, generation, i, deps.now()));
    }
    const checked = checkedCacheArchive(archive.tar, paths);
    await withCarrier(
      deps.docker,
      volumes.map((volume, i) => ({ volume, target: `/c/${i}` })),
      deps.labels,
      async (carrier) => {
        await carrier.putArchive(checked.tar, { path: '/c' });
        // A refused entry ends the stream early but cleanly: the restore still fails.
        const failure = checked.failure();
        if (failure) throw failure;
      },
    );
    const created = deps.now();
    await commitGeneration(deps.docker, deps.scope, {
      id,
      namespace,
      key,
      generation,
      paths,
      size: archive.size,
      created,
    });
    const ms = deps.now() - started;
    writeSystemLine(
      output,
      'cache.remote_restored',
      { key, bytes: archive.size, ms },
      `cache: key ${key} restored from the server's cache store (${formatByteSize(archive.size)}, ${ms} ms)`,
    );
    return {
      installation: deps.scope ?? null,
      id,
      namespace,
      key,
      generation,
      paths,
      size: archive.size,
      created,
      marker: '',
    };
  } catch (err) {
    archive.tar.destroy();
    await Promise.all(volumes.map((v) => removeVolume(deps.docker, v).catch(() => false)));
    remoteCacheRestoreFailed(output, key, err);
    return null;
  }
}

/** Sends a saved generation's volumes to the server's cache store; a failure is a log line. */
export async function uploadToServer(
  deps: RemoteDeps,
  remote: CacheRemote,
  key: string,
  paths: string[],
  volumes: string[],
  output: JobOutput,
): Promise<void> {
  const started = deps.now();
  let sent = 0;
  try {
    await withCarrier(
      deps.docker,
      volumes.map((volume, i) => ({ volume, target: `/c/${i}`, readOnly: true })),
      deps.labels,
      async (carrier) => {
        // `dir/.` makes the engine name entries `./0/…`, `./1/…`.
        const tar = (await carrier.getArchive({ path: '/c/.' })) as NodeJS.ReadableStream;
        const counted = new Transform({
          transform(chunk: Buffer, _enc, done) {
            sent += chunk.length;
            done(null, chunk);
          },
        });
        tar.on('error', (err: Error) => counted.destroy(err));
        await remote.upload({ key, paths }, tar.pipe(counted));
      },
    );
    const ms = deps.now() - started;
    writeSystemLine(
      output,
      'cache.remote_uploaded',
      { key, bytes: sent, ms },
      `cache: key ${key} uploaded to the server's cache store (${formatByteSize(sent)}, ${ms} ms)`,
    );
  } catch (err) {
    remoteCacheUploadFailed(output, key, err);
  }
}
