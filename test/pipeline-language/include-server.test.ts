/**
 * The server's `include:`: files are read from the project's repository at the run's commit
 * (GitSourceService on a real bare repository), globs are matched against that commit's tree,
 * and a later commit changing an included file does not change an earlier run's plan.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GitSourceService } from '../../src/server/git/source-service.js';
import { ConfigLoader } from '../../src/server/runs/config-loader.js';
import { planFromSource } from '../../src/server/runs/plan-source.js';
import { silentLogger } from '../support/git.js';
import { projectRow } from '../support/rows.js';

const MAIN = `version: 1
image: busybox
include: ci/*.yml
stages:
  - name: 构建
    jobs:
      编译: { script: make }
`;

describe('include on the server: files of the run commit', () => {
  let dataDir: string;
  let source: string;
  let sources: GitSourceService;
  const configs = new ConfigLoader();
  const project = projectRow({ default_branch: 'main' });
  let first: string;
  let second: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-lang-data-'));
    source = await mkdtemp(join(tmpdir(), 'slipway-lang-src-'));
    sources = new GitSourceService({ dataDir, log: silentLogger(), maxFileBytes: 4096 });
    await mkdir(join(source, 'ci'));
    await writeFile(join(source, '.slipway.yml'), MAIN);
    await writeFile(
      join(source, 'ci', 'test.yml'),
      'stages:\n  - name: 测试\n    jobs:\n      单元测试: { script: npm test, matrix: { node: [18, 20] } }\n',
    );
    await writeFile(join(source, 'ci', 'notes.txt'), 'not included\n');
    first = await sources.commitDirectory(project, source, 'main', 'first');
    await writeFile(
      join(source, 'ci', 'test.yml'),
      'stages:\n  - name: 测试\n    jobs:\n      other: { scirpt: x }\n',
    );
    second = await sources.commitDirectory(project, source, 'main', 'second');
  });
  after(async () => {
    await configs.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(source, { recursive: true, force: true });
  });

  const event = (sha: string) => ({
    kind: 'push' as const,
    ref: { kind: 'branch' as const, name: 'main' },
    sha,
    author: 'dev',
    message: 'm',
  });

  test('the plan holds the included jobs of that commit, matrix expanded', async () => {
    const outcome = await planFromSource(sources, project, event(first), silentLogger(), configs);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.deepEqual(
      outcome.plan.stages.map((s) => [s.name, s.jobs.map((j) => j.name)]),
      [
        ['构建', ['编译']],
        ['测试', ['单元测试 [node=18]', '单元测试 [node=20]']],
      ],
    );
  });

  test('a later commit has its own included files; their errors name the file and line', async () => {
    const outcome = await planFromSource(sources, project, event(second), silentLogger(), configs);
    assert.equal(outcome.ok, false);
    const d = outcome.diagnostics.find((x) => x.code === 'unknown-key');
    assert.ok(d, JSON.stringify(outcome.diagnostics));
    assert.deepEqual([d.file, d.line, d.col], ['ci/test.yml', 4, 16]);
    assert.match(outcome.message, /1 error — first: ci\/test\.yml:4:16 unknown key "scirpt"/);
  });

  test('listFiles answers the tree of the commit under a directory', async () => {
    assert.deepEqual(await sources.listFiles(project, first, 'ci'), ['ci/notes.txt', 'ci/test.yml']);
    assert.deepEqual(await sources.listFiles(project, first, '../etc'), []);
  });
});
