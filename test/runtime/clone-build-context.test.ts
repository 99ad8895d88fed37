/**
 * A `build:` job's context comes from the workspace, which now holds the git checkout: its
 * `.git` must stay out of the context (as BuildKit leaves out a git context's), so images and
 * their layer cache are what they were before — while `.gitignore`, `.github/` and the rest go
 * in. Real engine: the workspace volume is filled through the archive API, read back by
 * WorkspaceReader.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { extract } from 'tar-stream';
import { WorkspaceReader } from '../../src/backends/docker/build-context.js';
import { copySourceIntoVolume } from '../../src/backends/docker/workspace.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const volume = `lang3-clone-context-${randomUUID().slice(0, 8)}`;
const labels = { 'io.slipway.test': 'lang3-clone-context' };
let image = '';
let dir = '';

before(async () => {
  image = await ensureBusyboxImage(docker);
  dir = await mkdtemp(join(tmpdir(), 'slipway-clone-context-'));
  for (const sub of ['.git/objects', '.github/workflows', 'src'])
    await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(join(dir, '.git', 'objects', 'pack'), 'x');
  await writeFile(join(dir, '.gitignore'), 'dist/\n');
  await writeFile(join(dir, '.github', 'workflows', 'ci.yml'), 'on: push\n');
  await writeFile(join(dir, 'src', 'app.js'), 'console.log(1)\n');
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /app\n');
  await docker.createVolume({ Name: volume, Labels: labels });
  await copySourceIntoVolume(docker, {
    volume,
    image,
    workspacePath: '/workspace',
    tar: async () => pack(dir) as unknown as Readable,
    labels,
  });
});

after(async () => {
  await docker
    .getVolume(volume)
    .remove({ force: true })
    .catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function names(tar: Readable): Promise<string[]> {
  const found: string[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    found.push(header.name.replace(/\/$/, ''));
    stream.on('end', next);
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    tar.pipe(ex);
  });
  return found.sort();
}

describe('build context of a workspace with a git checkout', { timeout: 120_000 }, () => {
  test('.git stays out; .gitignore, .github and the sources go in', async () => {
    const reader = await WorkspaceReader.open(docker, { volume, image, workspacePath: '/workspace', labels });
    try {
      const entries = await names(await reader.contextTar('.', ['Dockerfile']));
      assert.ok(!entries.some((n) => n === '.git' || n.startsWith('.git/')), entries.join(', '));
      for (const wanted of ['.gitignore', '.github/workflows/ci.yml', 'src/app.js', 'Dockerfile']) {
        assert.ok(entries.includes(wanted), `${wanted} in ${entries.join(', ')}`);
      }
    } finally {
      await reader.close();
    }
  });
});
