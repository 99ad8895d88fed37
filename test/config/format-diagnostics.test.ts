import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/pipeline/config/diagnostic.js';
import { formatDiagnostics } from '../../src/pipeline/config/format-diagnostics.js';

const source = 'version: 1\nstages:\n  - name: a\n    jobs:\n      t:\n        scirpt: echo\n';
const diag = (over: Partial<Diagnostic>): Diagnostic => ({
  code: 'unknown-key',
  message: 'unknown key "scirpt" in job "t"; did you mean "script"?',
  severity: 'error',
  file: '.slipway.yml',
  line: 6,
  col: 9,
  path: 'stages.0.jobs.t.scirpt',
  ...over,
});

describe('formatDiagnostics', () => {
  it('prints file:line:col, the source line and a caret under the token', () => {
    const out = formatDiagnostics([diag({})], source, { color: false });
    assert.equal(
      out,
      [
        '.slipway.yml:6:9: error[unknown-key]: unknown key "scirpt" in job "t"; did you mean "script"?',
        ' 6 |         scirpt: echo',
        '   |         ^^^^^^',
      ].join('\n'),
    );
  });

  it('separates diagnostics with a blank line and labels warnings', () => {
    const out = formatDiagnostics(
      [diag({}), diag({ severity: 'warning', code: 'w', message: 'm', line: 2, col: 1 })],
      source,
      { color: false },
    );
    const blocks = out.split('\n\n');
    assert.equal(blocks.length, 2);
    assert.match(blocks[1]!, /^\.slipway\.yml:2:1: warning\[w\]: m\n 2 \| stages:\n {3}\| \^{6}$/);
  });

  it('lines the caret up under tabs and CRLF lines', () => {
    const out = formatDiagnostics([diag({ line: 1, col: 4 })], 'a:\tb\r\n', { color: false });
    assert.deepEqual(out.split('\n').slice(1), [' 1 | a:    b', '   |       ^']);
  });

  it('cuts long lines to a window around the column', () => {
    const long = `k: ${'x'.repeat(500)} target ${'y'.repeat(500)}`;
    const out = formatDiagnostics([diag({ line: 1, col: 505 })], long, { color: false });
    const [, text, caret] = out.split('\n');
    assert.ok(text!.length < 140);
    assert.equal(text!.indexOf('target'), caret!.indexOf('^'));
  });

  it('prints no source line for whole-file problems', () => {
    const out = formatDiagnostics([diag({ code: 'file-too-large', line: 1, col: 1 })], source, {
      color: false,
    });
    assert.equal(out.split('\n').length, 1);
  });

  it('colours only when asked', () => {
    assert.doesNotMatch(formatDiagnostics([diag({})], source, { color: false }), /\x1b\[/);
    assert.match(formatDiagnostics([diag({})], source, { color: true }), /\x1b\[1;?31m|\x1b\[1m\x1b\[31m/);
  });
});
