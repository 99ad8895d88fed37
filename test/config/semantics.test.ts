import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/pipeline/config/diagnostic.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

function only(text: string, code: string): Diagnostic {
  const found = loadConfig(text, '.slipway.yml').diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code}`);
  return found[0]!;
}

/** A two-stage pipeline; `extra` lines are added to job `b` of the second stage (line 9 on). */
const pipeline = (...extra: string[]) =>
  lines(
    'version: 1',
    'image: busybox',
    'stages:',
    '  - name: one',
    '    jobs:',
    '      a: { script: echo a }',
    '  - name: two',
    '    jobs:',
    '      b:',
    '        script: echo b',
    ...extra,
  );

describe('semantic checks', () => {
  it('accepts the base pipeline', () => {
    const { config, diagnostics } = loadConfig(pipeline(), 'x.yml');
    assert.deepEqual(diagnostics, []);
    assert.ok(config);
  });

  it('duplicate-stage', () => {
    const d = only(pipeline('  - name: one', '    jobs: { c: { script: x } }'), 'duplicate-stage');
    assert.equal(d.line, 11);
    assert.equal(d.col, 11);
    assert.match(d.message, /stage "one" is defined twice \(first on line 4\)/);
  });

  it('duplicate-job across stages', () => {
    const d = only(pipeline('      a: { script: again }'), 'duplicate-job');
    assert.equal(d.line, 11);
    assert.equal(d.col, 7);
    assert.equal(d.path, 'stages.1.jobs.a');
    assert.match(d.message, /job "a" is already defined in stage "one" \(line 6\)/);
  });

  it('needs-unknown-job, with a suggestion', () => {
    const d = only(pipeline('        needs: [a, x]'), 'needs-unknown-job');
    assert.equal(d.line, 11);
    assert.equal(d.col, 20);
    assert.equal(d.message, 'job "b" needs "x", which is not a job');
    const guess = only(
      lines(
        'version: 1',
        'image: x',
        'stages:',
        '  - { name: one, jobs: { compile: { script: x } } }',
        '  - { name: two, jobs: { test: { script: x, needs: [compiel] } } }',
      ),
      'needs-unknown-job',
    );
    assert.equal(guess.message, 'job "test" needs "compiel", which is not a job; did you mean "compile"?');
  });

  it('needs-not-earlier: same stage, later stage, itself', () => {
    const same = only(pipeline('        needs: [c]', '      c: { script: x }'), 'needs-not-earlier');
    assert.equal(same.line, 11);
    assert.equal(same.col, 17);
    assert.match(same.message, /runs in the same stage \("two"\)/);

    const later = only(
      lines(
        'version: 1',
        'image: x',
        'stages:',
        '  - { name: one, jobs: { a: { script: x, needs: [b] } } }',
        '  - { name: two, jobs: { b: { script: x } } }',
      ),
      'needs-not-earlier',
    );
    assert.equal(later.line, 4);
    assert.equal(later.col, 50);
    assert.match(later.message, /runs in a later stage \("two"\)/);

    const self = only(pipeline('        needs: [b]'), 'needs-not-earlier');
    assert.equal(self.message, 'job "b" needs itself');
  });

  it('invalid-timeout', () => {
    const d = only(pipeline('        timeout: 10 minutes'), 'invalid-timeout');
    assert.equal(d.line, 11);
    assert.equal(d.col, 18);
    assert.match(d.message, /write 90s, 10m or 1h30m/);
  });

  it('invalid-filter: a regex that does not compile', () => {
    const d = only(pipeline('        only: [feature, "^fix/(.*$"]'), 'invalid-filter');
    assert.equal(d.line, 11);
    assert.equal(d.col, 25);
    assert.equal(d.path, 'stages.1.jobs.b.only.1');
    assert.match(d.message, /neither a GitFlow class .* nor a valid regular expression/);
  });

  it('invalid-filter inside branches and as a single string', () => {
    const inBranches = only(pipeline('        except: { branches: ["[main"] }'), 'invalid-filter');
    assert.equal(inBranches.line, 11);
    assert.equal(inBranches.col, 30);
    const single = only(pipeline('        only: "*"'), 'invalid-filter');
    assert.equal(single.line, 11);
    assert.equal(single.col, 15);
  });

  it('invalid-event, with a suggestion', () => {
    const d = only(pipeline('        only: { events: [push, pul_request] }'), 'invalid-event');
    assert.equal(d.line, 11);
    assert.equal(d.col, 32);
    assert.match(d.message, /did you mean "pull_request"\?/);
  });

  it('missing-image when there is no top-level image', () => {
    const text = lines(
      'version: 1',
      'stages:',
      '  - name: one',
      '    jobs:',
      '      a: { script: x, image: alpine }',
      '      b: { script: x }',
    );
    const d = only(text, 'missing-image');
    assert.equal(d.line, 6);
    assert.equal(d.col, 7);
    assert.equal(d.path, 'stages.0.jobs.b');
  });

  it('empty-script', () => {
    const d = only(pipeline('      c:', '        script: []'), 'empty-script');
    assert.equal(d.line, 12);
    assert.equal(d.col, 17);
    const blank = only(pipeline('      c: { script: "  " }'), 'empty-script');
    assert.equal(blank.line, 11);
    assert.equal(blank.col, 20);
  });

  it('warns about allow_failure on a manual job, keeping the config', () => {
    const { config, diagnostics } = loadConfig(
      pipeline('        when: manual', '        allow_failure: true'),
      'x.yml',
    );
    assert.ok(config);
    assert.equal(diagnostics.length, 1);
    const d = diagnostics[0]!;
    assert.equal(d.code, 'redundant-allow-failure');
    assert.equal(d.severity, 'warning');
    assert.equal(d.line, 12);
    assert.equal(d.col, 9);
  });
});
