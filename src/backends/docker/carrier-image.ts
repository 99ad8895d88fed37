/**
 * An empty image to create helper containers from (copying files into and out of volumes). Such
 * containers are never started, so the image needs no files at all; having our own means a run
 * whose jobs name no image (a build-only pipeline) can still fill and read its workspace.
 */
import type Dockerode from 'dockerode';
import { isNotFound } from './errors.js';
import { readProgress } from './progress.js';

export const CARRIER_IMAGE = 'slipway/carrier:1';

export async function ensureCarrierImage(docker: Dockerode): Promise<string> {
  try {
    await docker.getImage(CARRIER_IMAGE).inspect();
    return CARRIER_IMAGE;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  // An empty tar: two 512-byte zero blocks. Importing it concurrently twice is harmless: the
  // same content gives the same image id, and the tag just moves onto it again.
  const emptyTar = Buffer.alloc(1024);
  const colon = CARRIER_IMAGE.lastIndexOf(':');
  const stream = await docker.importImage(
    emptyTar as unknown as NodeJS.ReadableStream,
    {
      repo: CARRIER_IMAGE.slice(0, colon),
      tag: CARRIER_IMAGE.slice(colon + 1),
    } as unknown as Record<string, string>,
  );
  await readProgress(stream);
  return CARRIER_IMAGE;
}
