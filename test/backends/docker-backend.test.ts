/**
 * The Docker backend against the real engine (no pulls: images come from test-images.ts).
 * Each test uses its own run id and destroys it, so tests can run beside other test files.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { JobOutput, JobSpec, RunSetup } from '../../src/backends/backend.js';
import { DockerBackend, reapStale } from '../../src/backends/docker/docker-backend.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const WORKSPACE = '/workspace';
let image = '';

before(async () => {
  image = await ensureBusyboxImage(docker);
});

function newRunId(): string {
  return `t-${randomUUID().slice(0, 8)}`;
}

function runSetup(runId: string, overrides: Partial<RunSetup> = {}): RunSetup {
  return {
    runId,
    workspacePath: WORKSPACE,
    source: { kind: 'empty' },
    images: [image],
    labels: { 'io.slipway.owner': `test:${process.pid}` },
    ...overrides,
  };
}

function jobSpec(runId: string, name: string, script: string, overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    runId,
    name,
    image,
    script,
    env: {},
    services: [],
    workspacePath: WORKSPACE,
    graceMs: 10_000,
    ...overrides,
  };
}

/** Records everything a job reports, in arrival order. */
class Recorder implements JobOutput {
  readonly writes: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  readonly system: (text: string) => void;
  readonly systemLines: string[] = [];
  constructor() {
    this.system = (text) => this.systemLines.push(text);
  }
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this.writes.push({ stream, text: chunk.toString() });
  }
  text(stream: 'stdout' | 'stderr'): string {
    return this.writes
      .filter((w) => w.stream === stream)
      .map((w) => w.text)
      .join('');
  }
}

const never = new AbortController().signal;

async function leftovers(runId: string): Promise<string[]> {
  const filters = { label: [`io.slipway.run=${runId}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return [
    ...containers.map((c) => `container ${c.Names[0]}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...(volumes.Volumes ?? []).map((v) => `volume ${v.Name}`),
  ];
}

/** Sets up a run, hands it to `body`, and always destroys it. */
async function withRun<T>(
  backend: DockerBackend,
  setup: RunSetup,
  body: (runId: string) => Promise<T>,
): Promise<T> {
  try {
    await backend.setupRun(setup);
    return await body(setup.runId);
  } finally {
    await backend.destroyRun(setup.runId);
  }
}

describe('DockerBackend', { timeout: 120_000 }, () => {
  const backend = new DockerBackend({ docker });

  test('probe reports a reachable engine', async () => {
    assert.deepEqual(await backend.probe(), { ok: true });
  });

  test('probe explains an unreachable engine', async () => {
    const down = new DockerBackend({ docker: new Dockerode({ socketPath: '/nonexistent/docker.sock' }) });
    const result = await down.probe();
    assert.equal(result.ok, false);
    assert.match(
      (result as { reason: string }).reason,
      /^cannot reach the Docker engine at \/nonexistent\/docker\.sock: ENOENT$/,
    );
  });

  test('streams stdout and stderr apart and in order, and reports the exit code', async () => {
    await withRun(backend, runSetup(newRunId()), async (runId) => {
      const out = new Recorder();
      const script = 'echo one; echo two >&2; seq 1 5000; echo three >&2; printf "%s" "$TRICKY"; exit 3';
      // Shell syntax in env must arrive as data: the script is never templated.
      const tricky = `$(echo injected) 'q' "d" ; \\`;
      const outcome = await backend.runJob(
        jobSpec(runId, 'output', script, { env: { TRICKY: tricky } }),
        out,
        never,
      );
      assert.deepEqual(outcome, { kind: 'exited', exitCode: 3 });
      const numbers = Array.from({ length: 5000 }, (_, i) => `${i + 1}\n`).join('');
      assert.equal(out.text('stdout'), `one\n${numbers}${tricky}`);
      assert.equal(out.text('stderr'), 'two\nthree\n');
    });
  });

  test('puts the source in the workspace and shares it between jobs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-source-'));
    try {
      await mkdir(join(dir, 'sub/deep'), { recursive: true });
      await writeFile(join(dir, 'top.txt'), 'top\n');
      await writeFile(join(dir, 'sub/deep/nested.txt'), 'nested\n');
      await writeFile(join(dir, 'not-listed.txt'), 'secret\n');
      const source = { kind: 'directory' as const, path: dir, files: ['top.txt', 'sub/deep/nested.txt'] };
      await withRun(backend, runSetup(newRunId(), { source }), async (runId) => {
        const first = new Recorder();
        const script = 'cat top.txt sub/deep/nested.txt; ls; echo from-job-1 > made.txt';
        assert.deepEqual(await backend.runJob(jobSpec(runId, 'first', script), first, never), {
          kind: 'exited',
          exitCode: 0,
        });
        assert.equal(first.text('stdout'), 'top\nnested\nsub\ntop.txt\n');
        const second = new Recorder();
        assert.deepEqual(await backend.runJob(jobSpec(runId, 'second', 'cat made.txt'), second, never), {
          kind: 'exited',
          exitCode: 0,
        });
        assert.equal(second.text('stdout'), 'from-job-1\n');
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('runs jobs of one run concurrently', async () => {
    await withRun(backend, runSetup(newRunId()), async (runId) => {
      // Each job records when it started, waits (bounded) for the other to start, then records
      // when it ended. Run one after the other, the first would time out alone and the
      // intervals would not overlap. The start file appears by rename, so the other job never
      // sees it before the time is in it (a `>` redirect creates it empty first).
      const script = (me: string, other: string): string =>
        [
          `cut -d' ' -f1 /proc/uptime > ${me}.tmp && mv ${me}.tmp ${me}.start`,
          'i=0',
          `while [ ! -e ${other}.start ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done`,
          `cut -d' ' -f1 /proc/uptime > ${me}.end`,
        ].join('\n');
      const outcomes = await Promise.all([
        backend.runJob(jobSpec(runId, 'a', script('a', 'b')), new Recorder(), never),
        backend.runJob(jobSpec(runId, 'b', script('b', 'a')), new Recorder(), never),
      ]);
      assert.deepEqual(outcomes, [
        { kind: 'exited', exitCode: 0 },
        { kind: 'exited', exitCode: 0 },
      ]);
      const read = new Recorder();
      await backend.runJob(jobSpec(runId, 'read', 'cat a.start a.end b.start b.end'), read, never);
      const [aStart, aEnd, bStart, bEnd] = read.text('stdout').trim().split('\n').map(Number);
      assert.ok(aStart! <= bEnd! && bStart! <= aEnd!, `intervals ${aStart}-${aEnd} and ${bStart}-${bEnd}`);
    });
  });

  test('starts services reachable by their name', async () => {
    await withRun(backend, runSetup(newRunId()), async (runId) => {
      const out = new Recorder();
      const web = {
        name: 'web',
        image,
        env: {},
        command: ['sh', '-c', 'mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 80 -h /www'],
      };
      const script =
        'i=0; until wget -q -O- http://web/; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.2; done';
      const outcome = await backend.runJob(jobSpec(runId, 'client', script, { services: [web] }), out, never);
      assert.deepEqual(outcome, { kind: 'exited', exitCode: 0 }, out.text('stderr'));
      assert.equal(out.text('stdout'), 'pong\n');
      assert.deepEqual(out.systemLines, [`service web: started (${image})`]);
      // The job's services and network are gone as soon as the job is.
      const filters = { label: [`io.slipway.run=${runId}`] };
      assert.deepEqual(await docker.listNetworks({ filters }), []);
    });
  });

  test('aborts a running job quickly and leaves nothing behind', async () => {
    const runId = newRunId();
    const sleeper = { name: 'idle', image, env: {}, command: ['sleep', '300'] };
    await withRun(backend, runSetup(runId), async () => {
      const started = Date.now();
      const outcome = await backend.runJob(
        jobSpec(runId, 'sleepy', 'sleep 300', { services: [sleeper], graceMs: 30_000 }),
        new Recorder(),
        AbortSignal.timeout(1500),
      );
      assert.deepEqual(outcome, { kind: 'aborted' });
      // SIGTERM works (thanks to the init process); otherwise we would wait the 30 s grace.
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
    });
    assert.deepEqual(await leftovers(runId), []);
  });

  test('an already aborted signal starts nothing', async () => {
    await withRun(backend, runSetup(newRunId()), async (runId) => {
      const controller = new AbortController();
      controller.abort();
      const outcome = await backend.runJob(
        jobSpec(runId, 'never', 'echo no'),
        new Recorder(),
        controller.signal,
      );
      assert.deepEqual(outcome, { kind: 'aborted' });
    });
  });

  test('a missing image that cannot be pulled is image_not_found, in setup and in a job', async () => {
    const missing = 'slipway-test/does-not-exist:1';
    await withRun(backend, runSetup(newRunId(), { images: [image, missing] }), async (runId) => {
      const outcome = await backend.runJob(
        jobSpec(runId, 'job', 'true', { image: missing }),
        new Recorder(),
        never,
      );
      assert.equal(outcome.kind, 'image_not_found');
      const { image: reported, message } = outcome as { image: string; message: string };
      assert.equal(reported, missing);
      assert.match(
        message,
        /^image "slipway-test\/does-not-exist:1" is not present on this engine and pulling it failed: ./,
      );
      // Other jobs of the run are unaffected.
      assert.deepEqual(await backend.runJob(jobSpec(runId, 'fine', 'true'), new Recorder(), never), {
        kind: 'exited',
        exitCode: 0,
      });
    });
  });

  test('a pull that hangs is cut off by pullTimeoutMs', async () => {
    // A "registry" that accepts connections and never answers.
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const hanging = `127.0.0.1:${port}/slipway/hangs:1`;
    const impatient = new DockerBackend({ docker, pullTimeoutMs: 1000 });
    try {
      await withRun(impatient, runSetup(newRunId()), async (runId) => {
        const out = new Recorder();
        const outcome = await impatient.runJob(jobSpec(runId, 'job', 'true', { image: hanging }), out, never);
        assert.deepEqual(outcome, {
          kind: 'image_not_found',
          image: hanging,
          message: `image "${hanging}" is not present on this engine and pulling it failed: it did not finish within 1 s`,
        });
        assert.deepEqual(out.systemLines, [`pulling image ${hanging}`]);
      });
    } finally {
      // The engine would hold its connection open until its own timeout, and so keep us alive.
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  test('runJob for a run that was never set up is a backend_error', async () => {
    const outcome = await backend.runJob(jobSpec(newRunId(), 'job', 'true'), new Recorder(), never);
    assert.equal(outcome.kind, 'backend_error');
  });

  test('destroyRun is idempotent, also for unknown runs', async () => {
    const runId = newRunId();
    await backend.setupRun(runSetup(runId));
    assert.deepEqual(await leftovers(runId), [`volume slipway-${runId}-workspace`]);
    await backend.destroyRun(runId);
    await backend.destroyRun(runId);
    await backend.destroyRun(newRunId());
    assert.deepEqual(await leftovers(runId), []);
  });
});

describe('reapStale', { timeout: 60_000 }, () => {
  const ghost = `ghost-host:${process.pid}-${randomUUID().slice(0, 6)}`;
  const orphan = newRunId();

  after(async () => {
    await new DockerBackend({ docker }).destroyRun(orphan);
  });

  test('removes the resources of runs whose owner is gone, and only those', async () => {
    const living = newRunId();
    const crashed = new DockerBackend({ docker });
    await crashed.setupRun(runSetup(orphan, { labels: { 'io.slipway.owner': ghost } }));
    const alive = new DockerBackend({ docker });
    await withRun(alive, runSetup(living), async () => {
      // A stopped job container of the orphan too, as a crash mid-job would leave it.
      await docker.createContainer({
        Image: image,
        Cmd: ['true'],
        Labels: { 'io.slipway.managed': 'true', 'io.slipway.run': orphan, 'io.slipway.owner': ghost },
      });
      const reaped = await reapStale(docker, (labels) => labels['io.slipway.owner'] !== ghost);
      assert.deepEqual(reaped, [orphan]);
      assert.deepEqual(await leftovers(orphan), []);
      assert.deepEqual(await leftovers(living), [`volume slipway-${living}-workspace`]);
    });
  });
});
