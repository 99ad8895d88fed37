/**
 * A Node image built offline (nothing can be pulled here): the busybox test image's layout plus
 * the host's own `node` binary, the shared libraries it links, npm, and the host's CA bundle —
 * containers reach the npm registry only through a TLS-intercepting proxy, so npm and Node must
 * trust what the host trusts. Tagged by the Node version; built once per engine.
 */
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { readProgress } from '../../src/backends/docker/progress.js';

export const NODE_IMAGE = `slipway-test/node:${process.versions.node}-2`;
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export async function ensureNodeImage(docker: Dockerode): Promise<string> {
  try {
    await docker.getImage(NODE_IMAGE).inspect();
    return NODE_IMAGE;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const root = await mkdtemp(join(tmpdir(), 'slipway-node-image-'));
  try {
    await buildRootfs(root);
    const tarball = pack(root, { map: (h) => (h.name === 'tmp' ? { ...h, mode: 0o1777 } : h) });
    const colon = NODE_IMAGE.lastIndexOf(':');
    const response = await docker.importImage(
      tarball as unknown as NodeJS.ReadableStream,
      {
        repo: NODE_IMAGE.slice(0, colon),
        tag: NODE_IMAGE.slice(colon + 1),
        changes: [
          'CMD ["sh"]',
          'ENV PATH=/usr/local/bin:/usr/bin:/bin',
          'ENV HOME=/root',
          `ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`,
        ],
      } as unknown as Record<string, string>,
    );
    await readProgress(response);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return NODE_IMAGE;
}

async function buildRootfs(root: string): Promise<void> {
  const bin = join(root, 'bin');
  await mkdir(bin, { recursive: true });
  await copyFile('/bin/busybox', join(bin, 'busybox'));
  await chmod(join(bin, 'busybox'), 0o755);
  for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n')) {
    if (applet && applet !== 'busybox') await symlink('busybox', join(bin, applet));
  }
  for (const dir of ['etc', 'root', 'tmp', 'usr/bin', 'usr/etc', 'usr/lib', 'etc/ssl/certs']) {
    await mkdir(join(root, dir), { recursive: true });
  }
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(root, 'etc/group'), 'root:x:0:\n');
  await copyFile(CA_BUNDLE, join(root, CA_BUNDLE));
  // npm's global config (prefix /usr): trust the proxy, and no audit/fund round trips.
  await writeFile(
    join(root, 'usr/etc/npmrc'),
    `cafile=${CA_BUNDLE}\naudit=false\nfund=false\nupdate-notifier=false\n`,
  );
  const node = process.execPath;
  await copyFile(node, join(root, 'usr/bin/node'));
  await chmod(join(root, 'usr/bin/node'), 0o755);
  // Every library `node` links, at the path the loader looks for it.
  const ldd = execFileSync('ldd', [node], { encoding: 'utf8' });
  for (const match of ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)) {
    const lib = match[1] as string;
    await mkdir(join(root, dirname(lib)), { recursive: true });
    await copyFile(lib, join(root, lib));
  }
  const npmDir = join(dirname(dirname(node)), 'lib/node_modules/npm');
  await cp(npmDir, join(root, 'usr/lib/node_modules/npm'), { recursive: true });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/bin/npm'));
  // npm's `#!/usr/bin/env node`.
  await symlink('/bin/busybox', join(root, 'usr/bin/env'));
}
