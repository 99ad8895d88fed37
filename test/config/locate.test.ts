import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocator, formatPath } from '../../src/pipeline/config/locate.js';
import { parseYaml } from '../../src/pipeline/config/parse-yaml.js';

const text = [
  'version: 1', // 1
  'stages:', // 2
  '  - name: build', // 3
  '    jobs:', // 4
  '      compile:', // 5
  '        script: make', // 6
  '  - name: test', // 7
  '    jobs:', // 8
  '      test: &t', // 9
  '        script: [a, b]', // 10
  '        env:', // 11
  '      again: *t', // 12
  '',
].join('\n');

const parsed = parseYaml(text, 'f.yml');
const locate = createLocator(parsed.doc, parsed.lineCounter);

describe('locate', () => {
  it('finds values and keys', () => {
    assert.deepEqual(locate(['stages', 0, 'jobs', 'compile', 'script']), { line: 6, col: 17 });
    assert.deepEqual(locate(['stages', 0, 'jobs', 'compile', 'script'], 'key'), { line: 6, col: 9 });
    assert.deepEqual(locate(['stages', 1, 'jobs', 'test', 'script', 1]), { line: 10, col: 21 });
  });

  it('points at a list item itself, which has no key', () => {
    assert.deepEqual(locate(['stages', 1], 'key'), { line: 7, col: 5 });
  });

  it('falls back to the nearest ancestor, at its key', () => {
    assert.deepEqual(locate(['stages', 0, 'jobs', 'compile', 'image']), { line: 5, col: 7 });
    assert.deepEqual(locate(['stages', 9, 'name']), { line: 2, col: 1 });
    assert.deepEqual(locate(['nope', 'deeper']), { line: 1, col: 1 });
  });

  it('points at the key when the value is empty', () => {
    assert.deepEqual(locate(['stages', 1, 'jobs', 'test', 'env']), { line: 11, col: 9 });
  });

  it('follows aliases into the anchored node', () => {
    assert.deepEqual(locate(['stages', 1, 'jobs', 'again']), { line: 12, col: 14 });
    assert.deepEqual(locate(['stages', 1, 'jobs', 'again', 'script']), { line: 10, col: 17 });
  });

  it('answers 1:1 without a document', () => {
    const none = createLocator(null, parsed.lineCounter);
    assert.deepEqual(none(['stages']), { line: 1, col: 1 });
  });

  it('formats paths with dots', () => {
    assert.equal(formatPath(['stages', 1, 'jobs', 'test', 'script']), 'stages.1.jobs.test.script');
    assert.equal(formatPath([]), '');
  });
});
