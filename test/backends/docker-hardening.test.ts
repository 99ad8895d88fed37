/**
 * Security rule 11a on the real engine (issue #9 item 24): job and service containers run with
 * `no-new-privileges`, a minimal capability set, and memory/pids (and CPU) limits — the
 * built-in defaults when a job asks for nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { JobOutput, JobSpec } from '../../src/backends/backend.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { KEPT_CAPABILITIES } from '../../src/backends/docker/hardening.js';
import { BUILTIN_RESOURCE_LIMITS, type JobResources } from '../../src/domain/job-resources.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const WORKSPACE = '/workspace';
const MiB = 1024 * 1024;
let image = '';

/** Linux capability numbers (include/uapi/linux/capability.h) of the set the containers keep. */
const CAP_NUMBERS: Record<string, number> = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  NET_BIND_SERVICE: 10,
};

class Recorder implements JobOutput {
  text = '';
  write(_stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this.text += chunk.toString();
  }
  system(): void {}
}

function jobSpec(runId: string, name: string, script: string, extra: Partial<JobSpec> = {}): JobSpec {
  return {
    runId,
    name,
    image,
    script,
    env: {},
    services: [],
    workspacePath: WORKSPACE,
    graceMs: 1000,
    ...extra,
  };
}

/** Polls the engine until the job's container (or its service's) is running. */
async function containerOf(
  runId: string,
  job: string,
  service?: string,
): Promise<Dockerode.ContainerInspectInfo> {
  for (;;) {
    const found = await docker.listContainers({
      filters: { label: [`io.slipway.run=${runId}`, `io.slipway.job=${job}`], status: ['running'] },
    });
    const mine = found.find((c) => c.Labels['io.slipway.service'] === service);
    if (mine) return docker.getContainer(mine.Id).inspect();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function assertConfined(host: Dockerode.HostConfig, resources: JobResources, what: string) {
  assert.deepEqual(host.CapDrop, ['ALL'], what);
  assert.deepEqual([...(host.CapAdd ?? [])].sort(), [...KEPT_CAPABILITIES].sort(), what);
  assert.ok(host.SecurityOpt?.includes('no-new-privileges:true'), `${what}: ${host.SecurityOpt}`);
  assert.equal(host.Privileged, false, what);
  assert.equal(host.Memory, resources.memoryBytes, what);
  assert.equal(host.MemorySwap, resources.memoryBytes, `${what}: no swap on top`);
  assert.equal(host.PidsLimit, resources.pids, what);
  assert.equal(host.NanoCpus ?? 0, resources.cpus === null ? 0 : resources.cpus * 1e9, what);
  assert.ok(!(host.Binds ?? []).some((b) => b.includes('docker.sock')), what);
}

describe('job and service containers are confined', { timeout: 120_000 }, () => {
  const backend = new DockerBackend({ docker });
  const runIds: string[] = [];

  before(async () => {
    image = await ensureBusyboxImage(docker);
  });
  after(async () => {
    await Promise.all(runIds.map((id) => backend.destroyRun(id)));
  });

  async function newRun(): Promise<string> {
    const runId = `t-${randomUUID().slice(0, 8)}`;
    runIds.push(runId);
    await backend.setupRun({
      runId,
      workspacePath: WORKSPACE,
      source: { kind: 'empty' },
      images: [image],
      labels: { 'io.slipway.owner': `test:${process.pid}` },
    });
    return runId;
  }

  test('no new privileges and only the kept capabilities, as root; chown works, mknod does not', async () => {
    const runId = await newRun();
    const out = new Recorder();
    const outcome = await backend.runJob(
      jobSpec(
        runId,
        'caps',
        'id -u; grep -E "^(NoNewPrivs|CapEff|CapBnd|CapPrm)" /proc/self/status; ' +
          'touch f && chown 1000:1000 f && echo chown=ok; ' +
          'mknod dev c 1 3 2>/dev/null && echo mknod=ok || echo mknod=refused',
      ),
      out,
      new AbortController().signal,
    );
    assert.deepEqual(outcome, { kind: 'exited', exitCode: 0 }, out.text);
    const mask = Object.values(CAP_NUMBERS).reduce((m, bit) => m | (1 << bit), 0);
    const hex = mask.toString(16).padStart(16, '0');
    assert.match(out.text, /^0\n/, 'still root');
    assert.match(out.text, /NoNewPrivs:\s+1/);
    for (const field of ['CapPrm', 'CapEff', 'CapBnd']) {
      assert.match(out.text, new RegExp(`${field}:\\s+${hex}`), out.text);
    }
    assert.deepEqual(Object.keys(CAP_NUMBERS).sort(), [...KEPT_CAPABILITIES].sort());
    assert.match(out.text, /chown=ok/);
    assert.match(out.text, /mknod=refused/);
  });

  test('a fork bomb stops at the pids limit', async () => {
    const runId = await newRun();
    const out = new Recorder();
    // Only builtins after the loop: forks are what has run out.
    const script =
      '(i=0; while [ $i -lt 500 ]; do sleep 1000 & i=$((i+1)); echo $i > /tmp/count; done) 2>/tmp/err; ' +
      'echo "loop=$?"; kill -9 -1; read n < /tmp/count; echo "spawned=$n"; ' +
      'while read -r line; do echo "err: $line"; done < /tmp/err';
    const outcome = await backend.runJob(
      jobSpec(runId, 'bomb', script, { resources: { memoryBytes: 64 * MiB, pids: 32, cpus: null } }),
      out,
      new AbortController().signal,
    );
    assert.deepEqual(outcome, { kind: 'exited', exitCode: 0 }, out.text);
    const spawned = Number(/spawned=(\d+)/.exec(out.text)?.[1]);
    assert.ok(spawned > 0 && spawned < 32, out.text);
    assert.match(out.text, /can't fork/);
  });

  test('memory, pids and CPU limits on the job and on its services (HostConfig), defaults when none asked', async () => {
    const runId = await newRun();
    const asked: JobResources = { memoryBytes: 96 * MiB, pids: 64, cpus: 0.5 };
    const services = [{ name: 'db', image, env: {}, command: ['sleep', '600'] }];
    for (const [name, resources] of [
      ['limited', asked],
      ['defaults', undefined],
    ] as const) {
      const abort = new AbortController();
      const running = backend.runJob(
        jobSpec(runId, name, 'sleep 600', { services, ...(resources ? { resources } : {}) }),
        new Recorder(),
        abort.signal,
      );
      const expected = resources ?? { ...BUILTIN_RESOURCE_LIMITS.default };
      try {
        const job = await containerOf(runId, name);
        const service = await containerOf(runId, name, 'db');
        assertConfined(job.HostConfig, expected, `job ${name}`);
        assertConfined(service.HostConfig, expected, `service of ${name}`);
      } finally {
        abort.abort();
      }
      assert.deepEqual(await running, { kind: 'aborted' });
    }
  });
});
