import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lintCommand } from '../../src/cli/lint.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-lint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const valid = readFileSync(new URL('../fixtures/configs/full.yml', import.meta.url), 'utf8');

async function lint(argv: string[], files: Record<string, string> = {}, cwd = dir) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  let stdout = '';
  let stderr = '';
  const code = await lintCommand(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    cwd,
  });
  return { code, stdout, stderr };
}

describe('slipway lint', () => {
  it('reads .slipway.yml from the working directory and reports no problems', async () => {
    const r = await lint([], { '.slipway.yml': valid });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '✔ .slipway.yml: no problems\n');
    assert.equal(r.stderr, '');
  });

  it('prints compiler-style errors and a summary, exit 1', async () => {
    const text = 'version: 1\nimage: x\nstages:\n  - name: a\n    jobs:\n      t:\n        scirpt: echo\n';
    const r = await lint(['broken.yml'], { 'broken.yml': text });
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      [
        'broken.yml:7:9: error[unknown-key]: unknown key "scirpt" in job "t"; did you mean "script"?',
        ' 7 |         scirpt: echo',
        '   |         ^^^^^^',
        '',
        '✖ broken.yml: 1 error',
        '',
      ].join('\n'),
    );
  });

  it('counts errors and warnings in the summary', async () => {
    const text = [
      'version: 1',
      'image: x',
      'stages:',
      '  - name: a',
      '    jobs:',
      '      t: { script: x, when: manual, allow_failure: true, timeout: soon, needs: [nope] }',
      '',
    ].join('\n');
    const r = await lint(['mixed.yml'], { 'mixed.yml': text });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✖ mixed\.yml: 2 errors, 1 warning\n$/);
  });

  it('exits 0 with warnings only', async () => {
    const text =
      'version: 1\nimage: x\nstages:\n  - { name: a, jobs: { t: { script: x, when: manual, allow_failure: true } } }\n';
    const r = await lint(['warn.yml'], { 'warn.yml': text });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /warning\[redundant-allow-failure\]/);
    assert.match(r.stdout, /✔ warn\.yml: 1 warning\n$/);
  });

  it('prints JSON with --json', async () => {
    const r = await lint(['--json', 'broken.yml']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.file, 'broken.yml');
    assert.equal(report.errors, 1);
    assert.equal(report.warnings, 0);
    assert.deepEqual(report.diagnostics[0], {
      code: 'unknown-key',
      message: 'unknown key "scirpt" in job "t"; did you mean "script"?',
      severity: 'error',
      file: 'broken.yml',
      line: 7,
      col: 9,
      path: 'stages.0.jobs.t.scirpt',
    });
  });

  it('resolves the file against cwd', async () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'p.yml'), valid);
    const r = await lint(['sub/p.yml']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '✔ sub/p.yml: no problems\n');
  });

  it('exit 2 with a clear message for a missing file', async () => {
    const r = await lint(['missing.yml']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'slipway lint: cannot read missing.yml: no such file\n');
  });

  it('exit 2 for a directory', async () => {
    const r = await lint(['sub']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read sub: it is a directory/);
  });

  it('exit 2 for an unknown flag, with usage', async () => {
    const r = await lint(['--jsn']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'slipway lint: unknown option --jsn\nusage: slipway lint [file] [--json]\n');
    assert.doesNotMatch(r.stderr, /at .*\.ts/);
  });

  it('exit 2 for two files', async () => {
    const r = await lint(['a.yml', 'b.yml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /at most one file/);
  });

  it('prints usage with --help', async () => {
    const r = await lint(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: slipway lint \[file\] \[--json\]/);
  });

  it('refuses a huge file without reading all of it', async () => {
    const r = await lint(['huge.yml'], { 'huge.yml': `# ${'x'.repeat(10 * 1024 * 1024)}\n` });
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      'huge.yml:1:1: error[file-too-large]: file is larger than the 1 MiB limit\n\n✖ huge.yml: 1 error\n',
    );
  });
});
