/**
 * Moving cache contents between volumes, and measuring them, through the archive API of a
 * created-but-never-started carrier container (no process, no tool in any image needed).
 * Only the slow paths use this: seeding a new generation from a fallback key, and measuring a
 * generation being saved. A hit mounts, it never copies.
 */
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { CARRIER_IMAGE, ensureCarrierImage } from './carrier-image.js';

export async function withCarrier<T>(
  docker: Dockerode,
  mounts: { volume: string; target: string; readOnly?: boolean }[],
  labels: Record<string, string>,
  use: (container: Dockerode.Container) => Promise<T>,
): Promise<T> {
  await ensureCarrierImage(docker);
  const container = await docker.createContainer({
    name: `slipway-cache-carrier-${randomBytes(6).toString('hex')}`,
    Image: CARRIER_IMAGE,
    Entrypoint: ['/bin/true'],
    Labels: labels,
    NetworkDisabled: true,
    HostConfig: {
      Mounts: mounts.map((m) => ({
        Type: 'volume' as const,
        Source: m.volume,
        Target: m.target,
        ReadOnly: m.readOnly === true,
      })),
    },
  });
  try {
    return await use(container);
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

/**
 * Copies the contents of volume `from` into volume `to` (owners, modes and links kept). Two
 * carriers, because the engine locks a container for as long as an archive read from it
 * streams: writing into the same one would wait for a read that waits for the write.
 */
export async function copyVolume(
  docker: Dockerode,
  from: string,
  to: string,
  labels: Record<string, string>,
): Promise<void> {
  await withCarrier(docker, [{ volume: from, target: '/from', readOnly: true }], labels, (source) =>
    withCarrier(docker, [{ volume: to, target: '/to' }], labels, async (target) => {
      // `dir/.` makes the engine name entries `./x`, which unpack straight into /to.
      const tar = await source.getArchive({ path: '/from/.' });
      await target.putArchive(tar, { path: '/to' });
    }),
  );
}

/** Bytes of a volume's contents as a tar (files plus headers): what moving it would cost. */
export async function measureVolumes(
  docker: Dockerode,
  volumes: string[],
  labels: Record<string, string>,
): Promise<number> {
  return withCarrier(
    docker,
    volumes.map((volume, i) => ({ volume, target: `/c/${i}`, readOnly: true })),
    labels,
    async (carrier) => {
      let total = 0;
      for (let i = 0; i < volumes.length; i += 1) {
        const tar = await carrier.getArchive({ path: `/c/${i}/.` });
        for await (const chunk of tar as AsyncIterable<Buffer>) total += chunk.length;
      }
      return total;
    },
  );
}
