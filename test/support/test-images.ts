/**
 * Test images built from the host's static busybox, because the test machines cannot pull.
 * The image is made from a directory imported as a single layer: no Dockerfile, no base image.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { readProgress } from '../../src/backends/docker/progress.js';

export const BUSYBOX_IMAGE = 'slipway-test/busybox:1';

const HOST_BUSYBOX = '/bin/busybox';

/**
 * Returns the tag of a busybox image, importing it first when this engine lacks it.
 * Test files run in parallel processes, so two may import at once: each imports untagged and
 * tags only if the tag is still free, dropping its own copy otherwise, so no orphan is left.
 */
export async function ensureBusyboxImage(docker: Dockerode): Promise<string> {
  if (await hasImage(docker, BUSYBOX_IMAGE)) return BUSYBOX_IMAGE;
  if (!existsSync(HOST_BUSYBOX)) {
    throw new Error(`${HOST_BUSYBOX} is missing; the test image needs it: apt-get install busybox-static`);
  }
  const rootfs = await mkdtemp(join(tmpdir(), 'slipway-busybox-'));
  let imageId: string;
  try {
    await buildRootfs(rootfs);
    imageId = await importRootfs(docker, rootfs);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  if (await hasImage(docker, BUSYBOX_IMAGE)) {
    await docker
      .getImage(imageId)
      .remove()
      .catch(() => {});
  } else {
    const colon = BUSYBOX_IMAGE.lastIndexOf(':');
    await docker
      .getImage(imageId)
      .tag({ repo: BUSYBOX_IMAGE.slice(0, colon), tag: BUSYBOX_IMAGE.slice(colon + 1) });
  }
  return BUSYBOX_IMAGE;
}

async function hasImage(docker: Dockerode, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

async function buildRootfs(root: string): Promise<void> {
  const bin = join(root, 'bin');
  await mkdir(bin, { recursive: true });
  await copyFile(HOST_BUSYBOX, join(bin, 'busybox'));
  await chmod(join(bin, 'busybox'), 0o755);
  const applets = execFileSync(HOST_BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n');
  for (const applet of applets) {
    if (applet && applet !== 'busybox') await symlink('busybox', join(bin, applet));
  }
  for (const dir of ['etc', 'root', 'tmp']) await mkdir(join(root, dir), { recursive: true });
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

/** Imports the directory as an untagged image and returns its id. */
async function importRootfs(docker: Dockerode, root: string): Promise<string> {
  // tar-fs masks modes with the process umask, which would drop the world-write bit of /tmp.
  const tarball = pack(root, { map: (h) => (h.name === 'tmp' ? { ...h, mode: 0o1777 } : h) });
  // The streamx tarball pipes like a Node stream, which is all dockerode needs; types differ.
  const response = await docker.importImage(tarball as unknown as NodeJS.ReadableStream, {
    // Repeated `changes` query parameters, one Dockerfile instruction each.
    changes: ['CMD ["sh"]', 'ENV PATH=/bin'],
  });
  const { lastStatus } = await readProgress(response);
  if (!lastStatus.startsWith('sha256:')) throw new Error(`image import gave no image id: "${lastStatus}"`);
  return lastStatus;
}
