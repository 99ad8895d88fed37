/**
 * Names in any language: stage and job names in Chinese or with spaces are accepted, lint carets
 * line up under wide characters, and the ASCII slug used for containers and variables is
 * stable, well-formed and tells different names apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nameSlug } from '../../src/domain/name-slug.js';
import { displayWidth } from '../../src/pipeline/config/display-width.js';
import { formatDiagnostics } from '../../src/pipeline/config/format-diagnostics.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

describe('names in any language', () => {
  it('accepts Chinese stage and job names and names with spaces', () => {
    const { config, diagnostics } = loadConfig(
      lines(
        'version: 1',
        'image: busybox',
        'stages:',
        '  - name: 构建',
        '    jobs: { 编译 前端: { script: make } }',
        '  - name: unit tests',
        '    jobs: { 单元测试: { script: make test, needs: [编译 前端] } }',
      ),
      '.slipway.yml',
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      config?.stages.map((s) => [s.name, Object.keys(s.jobs)]),
      [
        ['构建', ['编译 前端']],
        ['unit tests', ['单元测试']],
      ],
    );
  });

  it('puts the lint caret under the right column after CJK text', () => {
    const text = lines(
      'version: 1',
      'image: busybox',
      'stages:',
      '  - name: 测试',
      '    jobs:',
      '      单元测试: { scirpt: echo }',
    );
    const { diagnostics } = loadConfig(text, '.slipway.yml');
    const d = diagnostics.find((x) => x.code === 'unknown-key');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.deepEqual([d.line, d.col], [6, 15]);
    const out = formatDiagnostics([d], text, { color: false }).split('\n');
    const source = out[1]!;
    const caret = out[2]!;
    const bar = source.indexOf('| ') + 2;
    const before = source.slice(bar, source.indexOf('scirpt'));
    // The caret sits as many terminal columns in as the text before `scirpt` takes.
    assert.equal(caret.indexOf('^') - bar, displayWidth(before));
    assert.equal(caret.slice(caret.indexOf('^')), '^^^^^^');
    assert.equal(displayWidth('单元测试: {'), 11);
  });

  it('a CJK key is underlined with as many carets as columns it takes', () => {
    const text = lines(
      'version: 1',
      'image: x',
      'stages:',
      '  - name: 测试',
      '    jobs:',
      '      单元测试:',
      '        script: ""',
    );
    const { diagnostics } = loadConfig(text, '.slipway.yml');
    const d = diagnostics.find((x) => x.code === 'empty-script');
    assert.ok(d);
    const bad = lines('version: 1', 'image: x', '构建:', '  a: 1');
    const unknown = loadConfig(bad, '.slipway.yml').diagnostics.find((x) => x.code === 'unknown-key');
    assert.ok(unknown, 'a top-level CJK key is unknown');
    const caret = formatDiagnostics([unknown], bad, { color: false }).split('\n')[2]!;
    assert.equal(caret.slice(caret.indexOf('^')), '^^^^');
  });
});

describe('nameSlug', () => {
  it('keeps plain names, and gives others ASCII plus a hash', () => {
    assert.equal(nameSlug('build'), 'build');
    assert.equal(nameSlug('api-v2.test_1'), 'api-v2.test_1');
    assert.match(nameSlug('构建'), /^x-[0-9a-f]{8}$/);
    assert.match(nameSlug('test [node=20, db=pg]'), /^test-node-20-db-pg-[0-9a-f]{8}$/);
    assert.notEqual(nameSlug('构建'), nameSlug('测试'));
    assert.notEqual(nameSlug('Build'), nameSlug('build'));
  });

  it('is stable, Docker-safe and tells apart different names (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
        (a, b) => {
          const slug = nameSlug(a);
          assert.equal(nameSlug(a), slug);
          assert.match(slug, /^[a-z0-9][a-z0-9_.-]{0,62}$/);
          if (a !== b) assert.notEqual(slug, nameSlug(b));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
