/**
 * `slipway lint` with `include:`: the included files are read from the directory of the linted
 * file (outside git: every file there), and a problem in one is printed with that file's name,
 * its source line and a caret under the spot — CJK text before it included.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lintCommand } from '../../src/cli/lint.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-lang-lint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function lint(argv: string[]) {
  let stdout = '';
  const code = await lintCommand(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stdout += s;
    },
    cwd: dir,
  });
  return { code, stdout };
}

describe('slipway lint with include', () => {
  it('prints a problem of an included file with its name, line and a caret under CJK text', async () => {
    mkdirSync(join(dir, 'ci'), { recursive: true });
    writeFileSync(join(dir, '.slipway.yml'), 'version: 1\nimage: busybox\ninclude: ci/*.yml\n');
    writeFileSync(
      join(dir, 'ci', '测试.yml'),
      'stages:\n  - name: 测试\n    jobs:\n      单元测试: { scirpt: echo }\n',
    );
    const r = await lint([]);
    assert.equal(r.code, 1, r.stdout);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('ci/测试.yml:4:15: error[unknown-key]'));
    assert.ok(head >= 0, r.stdout);
    assert.equal(lines[head + 1], ' 4 |       单元测试: { scirpt: echo }');
    // 6 spaces + 4 wide characters (8 columns) + ": { " = 18 columns before the caret.
    assert.equal(lines[head + 2], `   | ${' '.repeat(18)}^^^^^^`);
  });

  it('a missing include is an error at the include entry', async () => {
    writeFileSync(join(dir, 'other.yml'), 'version: 1\nimage: x\ninclude: [ci/none.yml]\nstages: []\n');
    const r = await lint(['other.yml']);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /other\.yml:3:11: error\[include-not-found\]: included file ci\/none\.yml does not exist/,
    );
  });
});
