/** The local backend's archive source: a tar from the network is data, contained in the workspace. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pack } from 'tar-fs';
import { extractArchive } from '../../src/backends/local/extract-archive.js';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-extract-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('unpacks files and inner links; skips links that point outside, and says so', async () => {
  const source = join(root, 'source');
  await mkdir(join(source, 'src'), { recursive: true });
  await writeFile(join(source, 'src', 'main.c'), 'int main;\n');
  await symlink('src/main.c', join(source, 'inner-link'));
  await symlink('/etc/passwd', join(source, 'absolute-link'));
  await symlink('../../outside', join(source, 'src', 'escaping-link'));
  const workspace = join(root, 'workspace');
  await mkdir(workspace);

  const warnings = await extractArchive(pack(source) as unknown as Readable, workspace);

  assert.equal(await readFile(join(workspace, 'src', 'main.c'), 'utf8'), 'int main;\n');
  assert.equal(await readlink(join(workspace, 'inner-link')), 'src/main.c');
  assert.equal(existsSync(join(workspace, 'absolute-link')), false);
  assert.equal(existsSync(join(workspace, 'src', 'escaping-link')), false);
  assert.deepEqual(warnings, [
    '[slipway] skipped "absolute-link": it is a symlink pointing outside the workspace',
    '[slipway] skipped "src/escaping-link": it is a symlink pointing outside the workspace',
  ]);
});
