/**
 * `slipway exec` end to end, the parts with a life cycle: services reached by name, a job timing
 * out and a run canceled with Ctrl-C — and nothing of the run left on the engine afterwards.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Dockerode from 'dockerode';
import {
  describeRun,
  execDocker,
  linesOf,
  makeRepo,
  ownedResources,
  ownerOf,
  startCli,
  summaryLine,
  type TempRepo,
} from '../support/cli.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const TEST_TIMEOUT = { timeout: 90_000 };

before(async () => {
  await ensureBusyboxImage(docker);
});

async function withRepo(config: string, body: (repo: TempRepo) => Promise<void>) {
  const repo = await makeRepo({ config });
  try {
    await body(repo);
  } finally {
    await repo.cleanup();
  }
}

/** A web server answering `pong` on port 80, as a service of the job. */
const WEB_SERVICE = `      services:
          web:
            image: ${BUSYBOX_IMAGE}
            command: ["sh", "-c", "mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 80 -h /www"]`;

describe('slipway exec on Docker: services, timeout, cancel', { concurrency: true }, () => {
  test('a job reaches its service by name', TEST_TIMEOUT, () =>
    withRepo(
      `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: test
    jobs:
      client:
        script:
          - i=0; until wget -q -O- http://web/ > reply.txt; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.2; done
          - echo "reply:$(cat reply.txt)"
  ${WEB_SERVICE}
`,
      async (repo) => {
        const run = await execDocker(repo);
        assert.equal(run.code, 0, describeRun(run));
        assert.ok(linesOf(run.stdout, 'client').includes('reply:pong'), describeRun(run));
      },
    ),
  );

  test(
    'a job over its timeout fails the run, and its containers, network and volume are removed',
    TEST_TIMEOUT,
    () =>
      withRepo(
        `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: test
    jobs:
      slow:
        script: sleep 300
        timeout: 2s
  ${WEB_SERVICE}
  - name: deploy
    jobs:
      release:
        script: echo released
`,
        async (repo) => {
          const run = await execDocker(repo);
          assert.equal(run.code, 1, describeRun(run));
          const slow = linesOf(run.stdout, 'slow');
          assert.ok(
            slow.some((l) => l.includes('service web: started')),
            describeRun(run),
          );
          assert.ok(
            slow.some((l) => /timed out/.test(l)),
            describeRun(run),
          );
          assert.ok(
            linesOf(run.stdout, 'release').some((l) => l.includes('skipped')),
            describeRun(run),
          );
          assert.match(summaryLine(run.stdout), /failed/);
          assert.deepEqual(await ownedResources(docker, ownerOf(run.pid)), []);
        },
      ),
  );

  test('Ctrl-C cancels the run, skips the rest and removes everything', TEST_TIMEOUT, () =>
    withRepo(
      `version: 1
image: ${BUSYBOX_IMAGE}
stages:
  - name: test
    jobs:
      slow:
        script: sleep 300
  ${WEB_SERVICE}
  - name: deploy
    jobs:
      release:
        script: echo released
`,
      async (repo) => {
        const cli = startCli(['exec', '--backend', 'docker', '--timeout-grace', '5'], {
          cwd: repo.dir,
          killAfterMs: 60_000,
        });
        try {
          await cli.waitForOutput(/test\/slow started/, 30_000);
          await waitForRunningContainer(ownerOf(cli.pid), 'slow', 30_000);
        } catch (error) {
          cli.kill('SIGKILL');
          await cli.done;
          throw error;
        }
        cli.kill('SIGINT');
        const run = await cli.done;

        assert.ok(!run.killedByTimeout, describeRun(run));
        assert.notEqual(run.code, 0, describeRun(run));
        assert.equal(run.signal, null, describeRun(run));
        assert.ok(
          linesOf(run.stdout, 'slow').some((l) => l.includes('canceled')),
          describeRun(run),
        );
        assert.ok(
          linesOf(run.stdout, 'release').some((l) => l.includes('skipped')),
          describeRun(run),
        );
        assert.match(summaryLine(run.stdout), /canceled/);
        assert.deepEqual(await ownedResources(docker, ownerOf(run.pid)), []);
      },
    ),
  );
});

/** Polls until the job's container of this owner runs; throws after `timeoutMs`. */
async function waitForRunningContainer(owner: string, job: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const filters = {
    label: [`io.slipway.owner=${owner}`, `io.slipway.job=${job}`],
    status: ['running'],
  };
  for (;;) {
    const containers = await docker.listContainers({ filters });
    // The job's own container, not one of its services (those carry io.slipway.service).
    if (containers.some((c) => c.Labels['io.slipway.service'] === undefined)) return;
    if (Date.now() > deadline) throw new Error(`no running container for job ${job} of ${owner}`);
    await sleep(100);
  }
}
