/**
 * The project page's git reads over the API: branches and tags to pick from, and the pipeline
 * definition at a ref with its diagnostics.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { git, insertProject } from '../support/git.js';
import { startTestServer, type TestServer } from '../support/server.js';

const VALID = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile:
        script: echo hi
`;
/** `scrpt` is a typo on line 6. */
const INVALID = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile:
        scrpt: echo hi
`;

describe('ref and pipeline routes', () => {
  let t: TestServer;
  let project: ProjectRow;
  let dir: string;
  let mainSha: string;
  let brokenSha: string;
  let releaseSha: string;

  before(async () => {
    t = await startTestServer();
    project = await insertProject(t.server, { name: 'web' });
    dir = await mkdtemp(join(tmpdir(), 'slipway-dir-'));
    const sources = t.server.ctx.sources;
    await writeFile(join(dir, '.slipway.yml'), VALID);
    mainSha = await sources.commitDirectory(project, dir, 'main', 'valid');
    releaseSha = await sources.commitDirectory(project, dir, 'release/1.x', 'release');
    await writeFile(join(dir, '.slipway.yml'), INVALID);
    brokenSha = await sources.commitDirectory(project, dir, 'feature/broken', 'broken');
    await rm(join(dir, '.slipway.yml'));
    await writeFile(join(dir, 'README.md'), 'no pipeline');
    await sources.commitDirectory(project, dir, 'docs', 'docs only');
    await git(join(t.dataDir, 'repos', `${project.id}.git`), ['tag', 'v1.0.0', mainSha]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await t.close();
  });

  test('refs: the default branch first, tags peeled, `q` filters', async () => {
    const all = await (await t.api('/api/projects/web/refs')).json();
    assert.equal(all.branches[0].name, 'main');
    assert.deepEqual(all.branches.map((b: { name: string }) => b.name).sort(), [
      'docs',
      'feature/broken',
      'main',
      'release/1.x',
    ]);
    assert.deepEqual(all.tags, [{ name: 'v1.0.0', sha: mainSha }]);
    const filtered = await (await t.api('/api/projects/web/refs?q=REL')).json();
    assert.deepEqual(filtered, { branches: [{ name: 'release/1.x', sha: releaseSha }], tags: [] });
  });

  test('pipeline at the default branch, a branch, a tag and a sha', async () => {
    const main = await (await t.api('/api/projects/web/pipeline')).json();
    assert.deepEqual(main, { ref: 'refs/heads/main', sha: mainSha, text: VALID, diagnostics: [] });
    const tag = await (await t.api('/api/projects/web/pipeline?ref=v1.0.0')).json();
    assert.equal(tag.ref, 'refs/tags/v1.0.0');
    const bySha = await (await t.api(`/api/projects/web/pipeline?ref=${brokenSha}`)).json();
    assert.equal(bySha.ref, brokenSha);
    assert.equal(bySha.text, INVALID);
  });

  test('pipeline diagnostics carry their location; a missing file is one error', async () => {
    const broken = await (await t.api('/api/projects/web/pipeline?ref=feature/broken')).json();
    assert.equal(broken.sha, brokenSha);
    assert.ok(broken.diagnostics.length > 0);
    assert.equal(broken.diagnostics[0].line, 7);
    assert.equal(broken.diagnostics[0].severity, 'error');
    const docs = await (await t.api('/api/projects/web/pipeline?ref=refs/heads/docs')).json();
    assert.equal(docs.text, null);
    assert.equal(docs.diagnostics[0].code, 'missing-file');
  });

  test('unknown refs and projects are 404; anonymous callers 401', async () => {
    assert.equal((await t.api('/api/projects/web/pipeline?ref=nope')).status, 404);
    assert.equal((await t.api('/api/projects/web/pipeline?ref=main~1')).status, 404);
    assert.equal((await t.api(`/api/projects/web/pipeline?ref=${'f'.repeat(40)}`)).status, 404);
    assert.equal((await t.api('/api/projects/web/pipeline?ref=refs/notes/x')).status, 404);
    assert.equal((await t.api('/api/projects/nope/refs')).status, 404);
    assert.equal((await fetch(`${t.url}/api/projects/web/refs`)).status, 401);
  });
});
