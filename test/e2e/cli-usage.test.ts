/**
 * The CLI's answers to mistakes, as a user sees them from a shell: exit codes, one clear line
 * or compiler-style diagnostics, never a stack trace. Nothing here reaches a container.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeRun, execDocker, makeRepo, runCli, type TempRepo } from '../support/cli.js';
import { BUSYBOX_IMAGE } from '../support/test-images.js';

const TEST_TIMEOUT = { timeout: 60_000 };

const VALID = `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: build
    jobs:
      compile:
        script: echo compiled
      vet:
        script: echo vetted
  - name: deploy
    jobs:
      release:
        script: echo released
`;

/** `scrpt` (a typo) is on line 7, column 9. */
const INVALID = `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: build
    jobs:
      compile:
        scrpt: echo compiled
`;

const STACK_FRAME = /^\s+at /m;

async function withRepo(config: string, body: (repo: TempRepo) => Promise<void>) {
  const repo = await makeRepo({ config, files: { 'broken.yml': INVALID } });
  try {
    await body(repo);
  } finally {
    await repo.cleanup();
  }
}

describe('slipway CLI: bad usage', { concurrency: true }, () => {
  test('an unknown flag: exit 2, one line, no stack trace', TEST_TIMEOUT, () =>
    withRepo(VALID, async (repo) => {
      const run = await execDocker(repo, ['--no-such-flag']);
      assert.equal(run.code, 2, describeRun(run));
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, describeRun(run));
      assert.match(lines[0] as string, /^slipway: .*--no-such-flag/);
      assert.doesNotMatch(run.stderr, STACK_FRAME);
      assert.equal(run.stdout, '');
    }),
  );

  test('a config with errors: exit 1 with file:line:col diagnostics', TEST_TIMEOUT, () =>
    withRepo(INVALID, async (repo) => {
      const run = await execDocker(repo);
      assert.equal(run.code, 1, describeRun(run));
      assert.match(run.stderr, /\.slipway\.yml:7:9: error\b.*"scrpt"/);
      assert.doesNotMatch(run.stderr, STACK_FRAME);
      assert.ok(run.stderr.endsWith('\n'), `stderr should end with a newline:\n${describeRun(run)}`);
      assert.equal(run.stdout, '');
    }),
  );

  test('--job with an unknown name: exit 2, listing the jobs', TEST_TIMEOUT, () =>
    withRepo(VALID, async (repo) => {
      const run = await execDocker(repo, ['--job', 'nosuch']);
      assert.equal(run.code, 2, describeRun(run));
      assert.match(run.stderr, /nosuch/);
      for (const job of ['compile', 'vet', 'release']) assert.match(run.stderr, new RegExp(`\\b${job}\\b`));
      assert.doesNotMatch(run.stderr, STACK_FRAME);
      assert.equal(run.stdout, '');
    }),
  );
});

describe('slipway lint', { concurrency: true }, () => {
  test('a valid file: exit 0', TEST_TIMEOUT, () =>
    withRepo(VALID, async (repo) => {
      const run = await runCli(['lint'], { cwd: repo.dir });
      assert.equal(run.code, 0, describeRun(run));
      assert.match(run.stdout, /no problems/);
    }),
  );

  test('an invalid file: exit 1 with file:line:col', TEST_TIMEOUT, () =>
    withRepo(VALID, async (repo) => {
      const run = await runCli(['lint', 'broken.yml'], { cwd: repo.dir });
      assert.equal(run.code, 1, describeRun(run));
      assert.match(run.stdout, /broken\.yml:7:9: error\b/);
      assert.doesNotMatch(run.stdout + run.stderr, STACK_FRAME);
    }),
  );
});
