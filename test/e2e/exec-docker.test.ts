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
    // /proc/uptime is the host's clock in every container (busybox `date` has no %N).
    const mark = (job: string) => [
      `cut -d' ' -f1 /proc/uptime > ${job}.start`,
      'sleep 1',
      `cut -d' ' -f1 /proc/uptime > ${job}.end`,
    ];
    return withRepo(
      {
        config: `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: work
    jobs:
      left:
        script: ${JSON.stringify(mark('left'))}
      right:
        script: ${JSON.stringify(mark('right'))}
  - name: report
    jobs:
      report:
        script:
          - echo "interval left $(cat left.start) $(cat left.end)"
          - echo "interval right $(cat right.start) $(cat right.end)"
`,
      },
      async (repo) => {
        const run = await execDocker(repo);
        assert.equal(run.code, 0, describeRun(run));
        const intervals = new Map<string, [number, number]>();
        for (const line of linesOf(run.stdout, 'report')) {
          const m = /^interval (\w+) ([\d.]+) ([\d.]+)$/.exec(line);
          if (m) intervals.set(m[1] as string, [Number(m[2]), Number(m[3])]);
        }
        const left = intervals.get('left');
        const right = intervals.get('right');
        assert.ok(left && right, describeRun(run));
        assert.ok(left[0] < left[1] && right[0] < right[1], `intervals ${left} ${right}`);
        assert.ok(left[0] < right[1] && right[0] < left[1], `no overlap: left ${left}, right ${right}`);
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
