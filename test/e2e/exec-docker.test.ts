/**
 * `slipway exec` end to end: the CLI as a subprocess against the real Docker engine, with the
 * locally imported busybox image (nothing is pulled). Each test has its own temp repository.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { describeRun, execDocker, linesOf, makeRepo, summaryLine, type TempRepo } from '../support/cli.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const TEST_TIMEOUT = { timeout: 90_000 };

before(async () => {
  await ensureBusyboxImage(docker);
});

async function withRepo(spec: Parameters<typeof makeRepo>[0], body: (repo: TempRepo) => Promise<void>) {
  const repo = await makeRepo(spec);
  try {
    await body(repo);
  } finally {
    await repo.cleanup();
  }
}

describe('slipway exec on Docker', { concurrency: true }, () => {
  test('runs a 3-stage pipeline: variables, shared workspace, committed files only', TEST_TIMEOUT, () =>
    withRepo(
      {
        branch: 'feature/e2e-check',
        config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: build
    jobs:
      compile:
        script:
          - echo "vars:$SLIPWAY_BRANCH:$SLIPWAY_COMMIT_SHORT_SHA:$CI:$SLIPWAY_JOB:$SLIPWAY_STAGE"
          - echo "from-build" > artifact.txt
  - name: test
    jobs:
      check:
        script:
          - echo "readme:$(cat docs/readme.txt)"
          - if [ -e local-only.txt ]; then echo "ignored:present"; else echo "ignored:absent"; fi
  - name: ship
    jobs:
      deliver:
        script: echo "artifact:$(cat artifact.txt)"
`,
        files: { 'docs/readme.txt': 'hello from the repo\n', '.gitignore': 'local-only.txt\n' },
        untracked: { 'local-only.txt': 'must stay on the host\n' },
      },
      async (repo) => {
        const run = await execDocker(repo);
        assert.equal(run.code, 0, describeRun(run));

        const summary = summaryLine(run.stdout);
        assert.ok(summary.includes(`feature-e2e-check-${repo.shortSha}`), summary);
        assert.equal(summary.split('✅').length - 1, 3, summary);
        assert.match(summary, /succeeded/);

        assert.ok(
          linesOf(run.stdout, 'compile').includes(
            `vars:feature/e2e-check:${repo.shortSha}:true:compile:build`,
          ),
          describeRun(run),
        );
        const check = linesOf(run.stdout, 'check');
        assert.ok(check.includes('readme:hello from the repo'), describeRun(run));
        assert.ok(check.includes('ignored:absent'), describeRun(run));
        assert.ok(linesOf(run.stdout, 'deliver').includes('artifact:from-build'), describeRun(run));
      },
    ),
  );

  test('runs the jobs of a stage in parallel', TEST_TIMEOUT, () => {
    // A rendezvous, not a clock: each job announces itself in the shared workspace and waits for
    // the other. Run one after the other, the first would wait in vain and fail after 60 s; a
    // slow, loaded machine only makes them meet later.
    const meet = (job: string, other: string) => [
      `touch ${job}.started`,
      `i=0; until [ -f ${other}.started ]; do i=$((i+1)); if [ $i -gt 600 ]; then echo "${other} never started while ${job} ran"; exit 1; fi; sleep 0.1; done`,
      `echo met > ${job}.met`,
    ];
    return withRepo(
      {
        config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: work
    jobs:
      left:
        script: ${JSON.stringify(meet('left', 'right'))}
      right:
        script: ${JSON.stringify(meet('right', 'left'))}
  - name: report
    jobs:
      report:
        script:
          - echo "left $(cat left.met) right $(cat right.met)"
`,
      },
      async (repo) => {
        const run = await execDocker(repo);
        assert.equal(run.code, 0, describeRun(run));
        assert.ok(linesOf(run.stdout, 'report').includes('left met right met'), describeRun(run));
      },
    );
  });

  test('a failing job fails the run and skips later stages', TEST_TIMEOUT, () =>
    withRepo(
      {
        config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: build
    jobs:
      broken:
        script:
          - echo "about to fail"
          - exit 3
  - name: deploy
    jobs:
      release:
        script: echo "released"
`,
      },
      async (repo) => {
        const run = await execDocker(repo);
        assert.equal(run.code, 1, describeRun(run));
        assert.ok(
          linesOf(run.stdout, 'broken').some((l) => l.includes('failed') && l.includes('exited with code 3')),
          describeRun(run),
        );
        const release = linesOf(run.stdout, 'release');
        assert.ok(
          release.some((l) => l.includes('skipped')),
          describeRun(run),
        );
        assert.ok(!release.includes('released'), describeRun(run));
        const summary = summaryLine(run.stdout);
        assert.match(summary, /❌/);
        assert.match(summary, /failed/);
      },
    ),
  );

  test('a job allowed to fail does not fail the run', TEST_TIMEOUT, () =>
    withRepo(
      {
        config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: check
    jobs:
      flaky:
        script: exit 1
        allow_failure: true
  - name: deploy
    jobs:
      release:
        script: echo "released"
`,
      },
      async (repo) => {
        const run = await execDocker(repo);
        assert.equal(run.code, 0, describeRun(run));
        assert.ok(
          linesOf(run.stdout, 'flaky').some((l) => l.includes('allowed to fail')),
          describeRun(run),
        );
        assert.ok(linesOf(run.stdout, 'release').includes('released'), describeRun(run));
        assert.match(summaryLine(run.stdout), /succeeded/);
      },
    ),
  );
});
