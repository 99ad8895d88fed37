/**
 * The Docker backend honours JobOutput.ready on the real engine: while the receiver is not
 * ready, the attach stream is not read, so the job's writes block (it does not run ahead and
 * its output does not pile up in this process); once ready, the rest arrives, all of it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';
import Dockerode from 'dockerode';
import type { JobOutput } from '../../src/backends/backend.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
let image = '';
before(async () => {
  image = await ensureBusyboxImage(docker);
});

const MiB = 1024 * 1024;
const TOTAL = 40 * MiB;

test('a job whose output is not wanted yet is paused, not buffered, and loses nothing', {
  timeout: 120_000,
}, async () => {
  const backend = new DockerBackend({ docker });
  const runId = `bp-${randomUUID().slice(0, 8)}`;
  let received = 0;
  let release: () => void = () => {};
  const wanted = new Promise<void>((resolve) => {
    release = resolve;
  });
  let asked = false;
  const output: JobOutput = {
    write: (_stream, chunk) => {
      received += chunk.length;
    },
    system: () => {},
    // Not ready once 1 MiB has arrived, until the test says so.
    ready: () => {
      if (received < MiB) return null;
      asked = true;
      return wanted;
    },
  };
  await backend.setupRun({
    runId,
    workspacePath: '/workspace',
    source: { kind: 'empty' },
    images: [image],
    labels: {},
  });
  try {
    const job = backend.runJob(
      {
        runId,
        name: 'flood',
        image,
        script: `head -c ${TOTAL} /dev/zero | tr '\\0' 'x'; echo; echo done`,
        env: {},
        services: [],
        workspacePath: '/workspace',
        graceMs: 1000,
      },
      output,
      new AbortController().signal,
    );
    // Wait until the reading has stopped (the count no longer moves) or everything was read.
    let last = -1;
    while (received < TOTAL && (!asked || received !== last)) {
      last = received;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // Engine and kernel buffers hold a little; the job itself is blocked on its writes.
    assert.ok(received < 16 * MiB, `${received} bytes read while the output was not wanted`);
    const running = await docker.listContainers({ filters: { label: [`io.slipway.run=${runId}`] } });
    assert.equal(running.length, 1, 'the job is still running: its writes block');

    release();
    const outcome = await job;
    assert.deepEqual(outcome, { kind: 'exited', exitCode: 0 });
    assert.equal(received, TOTAL + '\ndone\n'.length, 'every byte arrived');
  } finally {
    release();
    await backend.destroyRun(runId);
  }
});
