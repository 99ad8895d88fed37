/**
 * An image with git in it, built offline (nothing can be pulled here): the busybox layout plus
 * the host's own `git` binary and the shared libraries it links. Two tags of one root file
 * system: one runs as root, the other as an unprivileged user (uid 1000), for checking that a
 * workspace checkout works in images that do not run as root. Built once per engine.
 */
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { readProgress } from '../../src/backends/docker/progress.js';

const GIT = '/usr/bin/git';
const VERSION = execFileSync(GIT, ['--version'], { encoding: 'utf8' }).trim().split(' ').pop() ?? 'x';
export const GIT_IMAGE = `slipway-test/git:${VERSION}-1`;
export const GIT_USER_IMAGE = `slipway-test/git:${VERSION}-1-user`;

export async function ensureGitImages(docker: Dockerode): Promise<{ root: string; user: string }> {
  if (!(await hasImage(docker, GIT_IMAGE)) || !(await hasImage(docker, GIT_USER_IMAGE))) {
    const root = await mkdtemp(join(tmpdir(), 'slipway-git-image-'));
    try {
      await buildRootfs(root);
      await importAs(docker, root, GIT_IMAGE, []);
      await importAs(docker, root, GIT_USER_IMAGE, ['USER 1000:1000']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return { root: GIT_IMAGE, user: GIT_USER_IMAGE };
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

async function importAs(docker: Dockerode, root: string, tag: string, changes: string[]): Promise<void> {
  const tarball = pack(root, { map: (h) => (h.name === 'tmp' ? { ...h, mode: 0o1777 } : h) });
  const colon = tag.lastIndexOf(':');
  const response = await docker.importImage(
    tarball as unknown as NodeJS.ReadableStream,
    {
      repo: tag.slice(0, colon),
      tag: tag.slice(colon + 1),
      changes: ['CMD ["sh"]', 'ENV PATH=/usr/bin:/bin', 'ENV HOME=/tmp', ...changes],
    } as unknown as Record<string, string>,
  );
  await readProgress(response);
}

async function buildRootfs(root: string): Promise<void> {
  const bin = join(root, 'bin');
  await mkdir(bin, { recursive: true });
  await copyFile('/bin/busybox', join(bin, 'busybox'));
  await chmod(join(bin, 'busybox'), 0o755);
  for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n')) {
    if (applet && applet !== 'busybox') await symlink('busybox', join(bin, applet));
  }
  for (const dir of ['etc', 'root', 'tmp', 'usr/bin']) await mkdir(join(root, dir), { recursive: true });
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nci:x:1000:1000:ci:/tmp:/bin/sh\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nci:x:1000:\n');
  await copyFile(GIT, join(root, 'usr/bin/git'));
  await chmod(join(root, 'usr/bin/git'), 0o755);
  const ldd = execFileSync('ldd', [GIT], { encoding: 'utf8' });
  for (const match of ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)) {
    const lib = match[1] as string;
    await mkdir(join(root, dirname(lib)), { recursive: true });
    await copyFile(lib, join(root, lib));
  }
}
