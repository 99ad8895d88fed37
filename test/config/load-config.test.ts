import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/pipeline/config/diagnostic.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import type { PipelineConfig } from '../../src/pipeline/config/schema.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/configs/${name}`, import.meta.url), 'utf8');
const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

function only(text: string, code: string): Diagnostic {
  const { config, diagnostics } = loadConfig(text, '.slipway.yml');
  assert.equal(config, null);
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(diagnostics, null, 1)}`);
  return found[0]!;
}

describe('loadConfig: a valid file', () => {
  it('parses the full example into the typed config', () => {
    const { config, diagnostics } = loadConfig(fixture('full.yml'), '.slipway.yml');
    assert.deepEqual(diagnostics, []);
    const expected: PipelineConfig = {
      version: 1,
      image: 'busybox',
      env: { GREETING: 'hello' },
      stages: [
        {
          name: 'build',
          jobs: { compile: { script: ['echo "$GREETING"', 'mkdir -p out && echo built > out/app.txt'] } },
        },
        {
          name: 'test',
          jobs: {
            unit: {
              script: 'cat out/app.txt',
              services: { web: { image: 'busybox', command: ['httpd', '-f', '-p', '80'] } },
              secrets: ['API_TOKEN'],
            },
            lint: { script: ['exit 1'], allow_failure: true, only: ['feature', 'develop', '^fix/.*$'] },
          },
        },
        {
          name: 'deploy',
          jobs: {
            ship: {
              script: 'echo ship',
              when: 'manual',
              needs: ['unit'],
              timeout: '10m',
              only: { branches: ['main'], events: ['push', 'manual'] },
            },
          },
        },
      ],
    };
    assert.deepEqual(config, expected);
  });

  it('keeps the config when there are only warnings', () => {
    const text = lines(
      'version: 1',
      'image: busybox',
      'stages:',
      '  - name: go',
      '    jobs:',
      '      ship: { script: echo, when: manual, allow_failure: true }',
    );
    const { config, diagnostics } = loadConfig(text, '.slipway.yml');
    assert.deepEqual(
      diagnostics.map((d) => d.severity),
      ['warning'],
    );
    assert.ok(config);
  });
});

describe('loadConfig: schema problems', () => {
  const base = (job: string[]) =>
    lines('version: 1', 'image: busybox', 'stages:', '  - name: test', '    jobs:', '      test:', ...job);

  it('suggests the right key for a misspelt job key', () => {
    const d = only(base(['        scirpt: echo hi', '        script: echo']), 'unknown-key');
    assert.equal(d.message, 'unknown key "scirpt" in job "test"; did you mean "script"?');
    assert.equal(d.line, 7);
    assert.equal(d.col, 9);
    assert.equal(d.path, 'stages.0.jobs.test.scirpt');
  });

  it('suggests the right key for a misspelt top-level key', () => {
    const d = only(
      lines('version: 1', 'imgae: busybox', 'stages:', '  - { name: a, jobs: { b: { script: x } } }'),
      'unknown-key',
    );
    assert.equal(d.message, 'unknown key "imgae" at the top level; did you mean "image"?');
    assert.equal(d.line, 2);
    assert.equal(d.col, 1);
  });

  it('lists the allowed keys when nothing is close', () => {
    const d = only(base(['        script: x', '        zzzzzz: [out]']), 'unknown-key');
    assert.match(d.message, /expected one of: image, script, build, deploy, env, variables, extends, /);
  });

  it('reports a misspelt key only once, not also as missing', () => {
    const { diagnostics } = loadConfig(base(['        scirpt: echo hi']), '.slipway.yml');
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['unknown-key'],
    );
  });

  it('reports a missing key at the mapping that lacks it', () => {
    const d = only(base(['        image: alpine']), 'missing-key');
    assert.equal(d.message, 'missing key "script" in job "test"');
    assert.equal(d.line, 6);
    assert.equal(d.col, 7);
    assert.equal(d.path, 'stages.0.jobs.test.script');
  });

  it('reports a missing top-level key', () => {
    const d = only(lines('stages:', '  - { name: a, jobs: { b: { script: x } } }'), 'missing-key');
    assert.equal(d.message, 'missing key "version" at the top level');
    assert.equal(d.line, 1);
    assert.equal(d.col, 1);
  });

  it('words a wrong type in plain terms', () => {
    const d = only(base(['        script: { run: x }']), 'invalid-type');
    assert.equal(d.message, '"script" of job "test" must be a string or a list, not a mapping');
    assert.equal(d.line, 7);
    assert.equal(d.col, 17);
  });

  it('points into a list for a wrong item', () => {
    const d = only(base(['        script: [ok, 42]']), 'invalid-type');
    assert.equal(d.message, 'item 2 of "script" of job "test" must be a string, not 42');
    assert.equal(d.line, 7);
    assert.equal(d.col, 22);
  });

  it('says a key with nothing after it is empty', () => {
    const d = only(base(['        script:']), 'invalid-type');
    assert.match(d.message, /"script" of job "test" is empty/);
    assert.equal(d.line, 7);
    assert.equal(d.col, 9);
  });

  it('reports a wrong value against an enum, with a suggestion', () => {
    const d = only(base(['        script: x', '        when: manul']), 'invalid-value');
    assert.equal(
      d.message,
      '"when" of job "test" must be one of "on_success", "on_failure", "always", "manual", "never", not "manul"; did you mean "manual"?',
    );
    assert.equal(d.line, 8);
    assert.equal(d.col, 15);
  });

  it('reports a wrong version', () => {
    const d = only(lines('version: 2', 'stages: [{ name: a, jobs: { b: { script: x } } }]'), 'invalid-value');
    assert.equal(d.message, '"version" must be 1, not 2');
    assert.equal(d.line, 1);
    assert.equal(d.col, 10);
  });

  it('reports an empty stage list', () => {
    const d = only(lines('version: 1', 'stages: []'), 'invalid-value');
    assert.equal(d.message, '"stages" must not be empty');
    assert.equal(d.line, 2);
    assert.equal(d.col, 9);
  });

  it('reports a badly formed name', () => {
    const d = only(
      lines('version: 1', 'image: x', 'stages:', '  - name: " my stage"', '    jobs: { a: { script: x } }'),
      'invalid-value',
    );
    assert.match(d.message, /^"name" of stage " my stage" must be 1 to 200 characters, without control/);
    assert.equal(d.line, 4);
    assert.equal(d.col, 11);
  });

  it('reports an invalid job name at the name', () => {
    const d = only(base(['        script: x', '      "bad\\tjob":', '        script: y']), 'invalid-name');
    assert.equal(
      d.message,
      'invalid job name "bad\\tjob": must be 1 to 200 characters, without control characters or blanks at either end',
    );
    assert.equal(d.line, 8);
    assert.equal(d.col, 7);
  });

  it('reports an invalid variable name', () => {
    const d = only(base(['        script: x', '        env: { MY-VAR: 1 }']), 'invalid-name');
    assert.match(d.message, /^invalid variable name "MY-VAR"/);
    assert.equal(d.line, 8);
    assert.equal(d.col, 16);
  });

  it('resolves a union to the shape that was meant', () => {
    const d = only(base(['        script: x', '        only: { branchs: [main] }']), 'unknown-key');
    assert.equal(d.message, 'unknown key "branchs" in "only" of job "test"; did you mean "branches"?');
    assert.equal(d.line, 8);
    assert.equal(d.col, 17);
  });

  it('reports an empty file', () => {
    const d = only('\n# nothing yet\n', 'empty-file');
    assert.equal(d.line, 1);
    assert.equal(d.col, 1);
  });
});

describe('loadConfig: output', () => {
  it('sorts diagnostics by line and column', () => {
    const text = lines(
      'version: 1',
      'stages:',
      '  - name: a',
      '    jobs:',
      '      j2: { script: x, needs: [zzz] }',
      '      j1: { script: "", timeout: soon }',
    );
    const { diagnostics } = loadConfig(text, 'x.yml');
    const positions = diagnostics.map((d) => [d.line, d.col]);
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!),
    );
    assert.ok(diagnostics.length >= 4);
    assert.ok(diagnostics.every((d) => d.file === 'x.yml'));
  });

  it('refuses with a YAML problem before looking at the shape', () => {
    const { diagnostics } = loadConfig('version: 1\nversion: 1\nstages: 3\n', 'x.yml');
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['yaml-duplicate-key'],
    );
  });

  it('passes the size budget through', () => {
    const { diagnostics } = loadConfig(fixture('full.yml'), 'x.yml', { maxBytes: 100 });
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['file-too-large'],
    );
  });
});
