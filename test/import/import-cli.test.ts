/**
 * `slipway import` as a user runs it (the real binary): finds the CI file of the directory,
 * writes .slipway.yml, prints the report with lines, never overwrites without --force, and the
 * written file passes `slipway lint`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'slipway-import-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

function dirWith(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const GITLAB = [
  '# Build and test',
  'image: node:20',
  'stages: [test]',
  'include:',
  '  - local: ci/lint.yml',
  'test:',
  '  stage: test',
  '  script:',
  '    - npm ci',
  '    - npm test  # the unit tests',
  '  resource_group: tests',
  '',
].join('\n');

describe('slipway import', () => {
  it('translates the .gitlab-ci.yml of the directory (and its include: local), reports, and the output lints', async () => {
    const dir = dirWith('gitlab', {
      '.gitlab-ci.yml': GITLAB,
      'ci/lint.yml': 'lint:\n  stage: test\n  script: npm run lint\n',
    });
    const result = await runCli(['import'], { cwd: dir, killAfterMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\.gitlab-ci\.yml:11: not translatable: resource_group \(test\)/);
    assert.match(result.stdout, /gitlab: \d+ constructs, .*% carried over/);
    const written = readFileSync(join(dir, '.slipway.yml'), 'utf8');
    assert.match(written, /- npm test # the unit tests/, 'comments carried over');
    assert.match(written, /lint:\n\s+script:\n\s+- npm run lint/);
    const lint = await runCli(['lint'], { cwd: dir, killAfterMs: 60_000 });
    assert.equal(lint.code, 0, lint.stdout);

    const again = await runCli(['import'], { cwd: dir, killAfterMs: 60_000 });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /\.slipway\.yml exists; give --force/);
  });

  it('prints to stdout with -o -, takes a .woodpecker/ directory, and says where a broken file is broken', async () => {
    const dir = dirWith('woodpecker', {
      '.woodpecker/test.yml': 'steps:\n  unit:\n    image: golang:1.22\n    commands: [go test ./...]\n',
      'daocloud.yml': 'version: 3\nstages:\n\t- build\n',
    });
    const out = await runCli(['import', '.woodpecker', '-o', '-'], { cwd: dir, killAfterMs: 60_000 });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /unit:\n\s+image: golang:1\.22/);
    assert.ok(!existsSync(join(dir, '.slipway.yml')));
    const broken = await runCli(['import', 'daocloud.yml'], { cwd: dir, killAfterMs: 60_000 });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /daocloud\.yml:3:\d+: not valid YAML/);
    const usage = await runCli(['import', '--format', 'jenkins', 'daocloud.yml'], {
      cwd: dir,
      killAfterMs: 60_000,
    });
    assert.equal(usage.code, 2);
  });
});
