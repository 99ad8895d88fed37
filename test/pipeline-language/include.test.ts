/**
 * `include:` gathered from a repository (an in-memory one here; the server's git reader and the
 * CLI's directory reader have their own tests) and merged: this file wins, stages of one name
 * merge, problems in an included file name that file with line:col.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  collectIncludes,
  MAX_INCLUDE_DEPTH,
  type RepositoryFiles,
} from '../../src/pipeline/config/include.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

function repo(files: Record<string, string>): RepositoryFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: async (path) => {
      reads.push(path);
      return files[path] ?? null;
    },
    list: async (dir) => Object.keys(files).filter((p) => dir === '' || p.startsWith(`${dir}/`)),
  };
}

async function load(main: string, files: Record<string, string>) {
  const included = await collectIncludes(main, '.slipway.yml', repo(files));
  return loadConfig(main, '.slipway.yml', { included });
}

const TEMPLATES = lines(
  '.node:',
  '  image: node:20',
  '  variables: { CI_NODE: "x" }'.replace('CI_NODE', 'NODE'),
);

describe('include', () => {
  it('takes a glob, a list and {local}, merges stages by name, this file winning', async () => {
    const files = {
      'ci/a-build.yml': lines(
        'stages:',
        '  - name: 构建',
        '    jobs:',
        '      编译: { extends: .node, script: make }',
      ),
      'ci/b-test.yml': lines(
        'stages:',
        '  - name: 测试',
        '    jobs:',
        '      unit: { extends: .node, script: npm test, timeout: 5m }',
      ),
      'templates/node.yml': TEMPLATES,
      'README.md': 'not yaml: [',
    };
    const main = lines(
      'version: 1',
      'include:',
      '  - ci/*.yml',
      '  - { local: /templates/node.yml }',
      'stages:',
      '  - name: 测试',
      '    jobs:',
      '      unit: { timeout: 9m }',
    );
    const { config, diagnostics } = await load(main, files);
    assert.deepEqual(diagnostics, []);
    assert.ok(config);
    assert.deepEqual(
      config.stages.map((s) => s.name),
      ['测试', '构建'],
    );
    assert.deepEqual(config.stages[0]!.jobs.unit, {
      image: 'node:20',
      variables: { NODE: 'x' },
      script: 'npm test',
      timeout: '9m',
    });
  });

  it('reports a problem of an included file in that file, with line and column', async () => {
    const files = {
      'ci/test.yml': lines('stages:', '  - name: t', '    jobs:', '      unit:', '        scirpt: x'),
    };
    const { config, diagnostics } = await load(
      lines('version: 1', 'image: x', 'include: ci/test.yml'),
      files,
    );
    assert.equal(config, null);
    assert.deepEqual(
      diagnostics.map((d) => [d.file, d.line, d.col, d.code]),
      [['ci/test.yml', 5, 9, 'unknown-key']],
    );
  });

  it('a YAML error in an included file names that file', async () => {
    const files = { 'ci/bad.yml': 'stages: [\n' };
    const { diagnostics } = await load(lines('version: 1', 'include: ci/bad.yml'), files);
    assert.equal(diagnostics[0]?.file, 'ci/bad.yml');
    assert.equal(diagnostics[0]?.code, 'yaml-syntax');
  });

  it('refuses remote includes and paths outside the repository, at the entry', async () => {
    const main = lines(
      'version: 1',
      'include:',
      '  - https://example.com/ci.yml',
      '  - { remote: "https://example.com/x.yml" }',
      '  - ../outside.yml',
      '  - ci/missing.yml',
    );
    const { diagnostics } = await load(main, {});
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line, d.col]),
      [
        ['include-remote', 3, 5],
        ['include-remote', 4, 15],
        ['include-outside', 5, 5],
        ['include-not-found', 6, 5],
      ],
    );
  });

  it('follows nested includes up to the depth bound, and reads each file once', async () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i <= MAX_INCLUDE_DEPTH + 1; i++)
      chain[`ci/${i}.yml`] = lines(`include: ci/${i + 1}.yml`, `.t${i}: {}`);
    const reader = repo({ ...chain, 'ci/again.yml': lines('include: [ci/0.yml, ci/0.yml]') });
    const included = await collectIncludes(
      lines('version: 1', 'include: [ci/0.yml, ci/again.yml]'),
      '.slipway.yml',
      reader,
    );
    assert.deepEqual(
      included.diagnostics.map((d) => [d.file, d.code]),
      [[`ci/${MAX_INCLUDE_DEPTH - 1}.yml`, 'include-too-deep']],
    );
    assert.equal(new Set(reader.reads).size, reader.reads.length);
  });

  it('without the repository, include: is a clear error rather than silently ignored', () => {
    const { config, diagnostics } = loadConfig(lines('version: 1', 'include: ci/x.yml'), '.slipway.yml');
    assert.equal(config, null);
    assert.equal(diagnostics[0]?.code, 'include-unavailable');
  });
});

describe('include budgets', () => {
  it('stops at the total size of the included files', async () => {
    const big = `.t: { script: "${'x'.repeat(400_000)}" }\n`;
    const files = { 'ci/a.yml': big, 'ci/b.yml': big, 'ci/c.yml': big };
    const included = await collectIncludes(
      lines('version: 1', 'include: ci/*.yml'),
      '.slipway.yml',
      repo(files),
    );
    assert.deepEqual(
      included.diagnostics.map((d) => [d.code, d.line, d.col]),
      [['include-too-large', 2, 10]],
    );
    assert.equal(included.files.length, 2);
  });
});
