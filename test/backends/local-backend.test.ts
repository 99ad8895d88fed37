import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobOutput, JobSpec, RunSetup } from '../../src/backends/backend.js';
import { LocalBackend } from '../../src/backends/local/local-backend.js';

let root: string;
let baseDir: string;
let sourceDir: string;
let outsideDir: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-local-test-'));
  baseDir = join(root, 'runs');
  sourceDir = join(root, 'source');
  outsideDir = join(root, 'outside');
  await mkdir(join(sourceDir, 'src', 'lib'), { recursive: true });
  await mkdir(outsideDir);
  await writeFile(join(sourceDir, 'README.md'), 'hello\n');
  await writeFile(join(sourceDir, 'build.sh'), '#!/bin/sh\necho built\n');
  await chmod(join(sourceDir, 'build.sh'), 0o755);
  await writeFile(join(sourceDir, 'src', 'lib', 'a.txt'), 'a\n');
  await writeFile(join(outsideDir, 'secret.txt'), 'host secret\n');
  await symlink('README.md', join(sourceDir, 'readme-link'));
  await symlink(join(outsideDir, 'secret.txt'), join(sourceDir, 'evil-link'));
  await symlink(outsideDir, join(sourceDir, 'src', 'evil-dir'));
  await symlink('../../../outside/secret.txt', join(sourceDir, 'src', 'lib', 'evil-relative'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

function runSetup(runId: string, files: string[] = []): RunSetup {
  return {
    runId,
    workspacePath: '/workspace',
    source: files.length > 0 ? { kind: 'directory', path: sourceDir, files } : { kind: 'empty' },
    images: [],
    labels: {},
  };
}

function job(runId: string, script: string, extra: Partial<JobSpec> = {}): JobSpec {
  return {
    runId,
    name: 'job',
    image: 'busybox',
    script,
    env: { SLIPWAY_WORKSPACE: '/workspace', CI_PROJECT_DIR: '/workspace', GREETING: 'hi there' },
    services: [],
    workspacePath: '/workspace',
    graceMs: 5000,
    ...extra,
  };
}

function collector() {
  const out = { stdout: '', stderr: '', system: [] as string[] };
  const output: JobOutput = {
    write: (stream, chunk) => {
      out[stream] += chunk.toString();
    },
    system: (text) => out.system.push(text),
  };
  return { out, output };
}

const never = new AbortController().signal;

/** Whether a process has ended; a zombie counts, since nobody may reap it in a container. */
async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

async function waitFor(condition: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LocalBackend', () => {
  it('is always available', async () => {
    assert.deepEqual(await new LocalBackend({ baseDir }).probe(), { ok: true });
  });

  it('runs a script in the workspace and reports its exit code and output', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-exit'));
    const { out, output } = collector();
    const outcome = await backend.runJob(
      job('run-exit', 'echo "$GREETING"; echo oops >&2; pwd; exit 3'),
      output,
      never,
    );
    assert.deepEqual(outcome, { kind: 'exited', exitCode: 3 });
    const workspace = join(baseDir, 'run-exit', 'workspace');
    assert.equal(out.stdout, `hi there\n${workspace}\n`);
    assert.equal(out.stderr, 'oops\n');
    assert.deepEqual(out.system, [
      '[slipway] local backend: running on the host, image "busybox" is ignored',
    ]);
    await backend.destroyRun('run-exit');
  });

  it('gives the job its env, PATH and HOME, the host workspace, and nothing else from the host', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-env'));
    process.env.SLIPWAY_TEST_HOST_ONLY = 'leaked';
    try {
      const { out, output } = collector();
      const outcome = await backend.runJob(job('run-env', 'env'), output, never);
      assert.deepEqual(outcome, { kind: 'exited', exitCode: 0 });
      const env = new Map(
        out.stdout
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const workspace = join(baseDir, 'run-env', 'workspace');
      assert.equal(env.get('GREETING'), 'hi there');
      assert.equal(env.get('SLIPWAY_WORKSPACE'), workspace);
      assert.equal(env.get('CI_PROJECT_DIR'), workspace);
      assert.equal(env.get('PATH'), process.env.PATH);
      assert.equal(env.get('HOME'), process.env.HOME);
      assert.equal(env.has('SLIPWAY_TEST_HOST_ONLY'), false);
    } finally {
      delete process.env.SLIPWAY_TEST_HOST_ONLY;
      await backend.destroyRun('run-env');
    }
  });

  it('reports a job killed by a signal like a shell does (128 + signal)', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-signal'));
    const outcome = await backend.runJob(job('run-signal', 'kill -9 $$'), collector().output, never);
    assert.deepEqual(outcome, { kind: 'exited', exitCode: 137 });
    await backend.destroyRun('run-signal');
  });

  it('shares the workspace between the jobs of a run', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-share'));
    await backend.runJob(
      job('run-share', 'mkdir -p dist && echo artifact > dist/out.txt'),
      collector().output,
      never,
    );
    const { out, output } = collector();
    const outcome = await backend.runJob(job('run-share', 'cat dist/out.txt'), output, never);
    assert.deepEqual(outcome, { kind: 'exited', exitCode: 0 });
    assert.equal(out.stdout, 'artifact\n');
    await backend.destroyRun('run-share');
  });

  it('copies the source with its modes and refuses paths that escape it', async () => {
    const backend = new LocalBackend({ baseDir });
    const files = [
      'README.md',
      'build.sh',
      'src',
      'readme-link',
      'evil-link',
      '../outside/secret.txt',
      '/etc/passwd',
    ];
    await backend.setupRun(runSetup('run-copy', files));
    const workspace = join(baseDir, 'run-copy', 'workspace');
    assert.equal(await readFile(join(workspace, 'README.md'), 'utf8'), 'hello\n');
    assert.equal(await readFile(join(workspace, 'src', 'lib', 'a.txt'), 'utf8'), 'a\n');
    assert.equal((await stat(join(workspace, 'build.sh'))).mode & 0o777, 0o755);
    assert.equal(await readFile(join(workspace, 'readme-link'), 'utf8'), 'hello\n');
    for (const escaped of [
      'evil-link',
      'src/evil-dir',
      'src/lib/evil-relative',
      'secret.txt',
      'etc/passwd',
    ]) {
      // lstat, not exists: a copied link must not be there even if its target is.
      assert.equal(await lstat(join(workspace, escaped)).catch(() => null), null, escaped);
    }

    // setupRun has no output of its own: the first job reports what was skipped, once.
    const first = collector();
    await backend.runJob(job('run-copy', './build.sh'), first.output, never);
    assert.equal(first.out.stdout, 'built\n');
    assert.deepEqual(first.out.system.slice(1), [
      '[slipway] skipped "../outside/secret.txt": it is outside the source directory',
      '[slipway] skipped "/etc/passwd": it is outside the source directory',
      '[slipway] skipped "evil-link": it is a symlink pointing outside the source directory',
      '[slipway] skipped "src/evil-dir": it is a symlink pointing outside the source directory',
      '[slipway] skipped "src/lib/evil-relative": it is a symlink pointing outside the source directory',
    ]);
    const second = collector();
    await backend.runJob(job('run-copy', 'true'), second.output, never);
    assert.equal(second.out.system.length, 1);
    await backend.destroyRun('run-copy');
  });

  it('refuses a path that reaches outside through a symlinked directory', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-through', ['src/evil-dir/secret.txt']));
    assert.equal(existsSync(join(baseDir, 'run-through', 'workspace', 'src')), false);
    const { out, output } = collector();
    await backend.runJob(job('run-through', 'true'), output, never);
    assert.match(
      out.system[1] ?? '',
      /skipped "src\/evil-dir\/secret.txt": it is outside the source directory/,
    );
    await backend.destroyRun('run-through');
  });

  it('refuses jobs with services', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-services'));
    const outcome = await backend.runJob(
      job('run-services', 'true', { services: [{ name: 'db', image: 'postgres', env: {}, command: null }] }),
      collector().output,
      never,
    );
    assert.deepEqual(outcome, { kind: 'backend_error', message: 'services need the Docker backend' });
    await backend.destroyRun('run-services');
  });

  it('aborts quickly: SIGTERM to the whole process group', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-abort'));
    const workspace = join(baseDir, 'run-abort', 'workspace');
    const abort = new AbortController();
    const started = Date.now();
    const running = backend.runJob(
      job('run-abort', 'sleep 30 & echo $! > sleep.pid; echo $$ > sh.pid; wait'),
      collector().output,
      abort.signal,
    );
    await waitFor(() => existsSync(join(workspace, 'sleep.pid')) && existsSync(join(workspace, 'sh.pid')));
    const pids = await Promise.all(
      ['sleep.pid', 'sh.pid'].map(async (f) => Number(await readFile(join(workspace, f), 'utf8'))),
    );
    abort.abort();
    assert.deepEqual(await running, { kind: 'aborted' });
    assert.ok(Date.now() - started < 5000, 'well before the grace period or the sleep ended');
    for (const pid of pids) await waitFor(() => isGone(pid));
    await backend.destroyRun('run-abort');
  });

  it('kills what ignores SIGTERM once the grace period is over', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-grace'));
    const workspace = join(baseDir, 'run-grace', 'workspace');
    const abort = new AbortController();
    const running = backend.runJob(
      job('run-grace', "trap '' TERM; sleep 30 & echo $! > sleep.pid; wait", { graceMs: 300 }),
      collector().output,
      abort.signal,
    );
    await waitFor(() => existsSync(join(workspace, 'sleep.pid')));
    const pid = Number(await readFile(join(workspace, 'sleep.pid'), 'utf8'));
    const aborted = Date.now();
    abort.abort();
    assert.deepEqual(await running, { kind: 'aborted' });
    assert.ok(Date.now() - aborted >= 250, 'waited for the grace period');
    await waitFor(() => isGone(pid));
    await backend.destroyRun('run-grace');
  });

  it('ends what the script left running in the background when it exits', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-background'));
    const workspace = join(baseDir, 'run-background', 'workspace');
    const started = Date.now();
    const outcome = await backend.runJob(
      job('run-background', 'sleep 30 & echo $! > bg.pid'),
      collector().output,
      never,
    );
    assert.deepEqual(outcome, { kind: 'exited', exitCode: 0 });
    assert.ok(Date.now() - started < 5000);
    const pid = Number(await readFile(join(workspace, 'bg.pid'), 'utf8'));
    await waitFor(() => isGone(pid));
    await backend.destroyRun('run-background');
  });

  it('destroyRun kills running jobs, removes the run directory and is idempotent', async () => {
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-destroy', ['README.md']));
    const workspace = join(baseDir, 'run-destroy', 'workspace');
    const running = backend.runJob(
      job('run-destroy', 'echo $$ > sh.pid; sleep 30'),
      collector().output,
      never,
    );
    await waitFor(() => existsSync(join(workspace, 'sh.pid')));
    const pid = Number(await readFile(join(workspace, 'sh.pid'), 'utf8'));
    await backend.destroyRun('run-destroy');
    assert.equal(existsSync(join(baseDir, 'run-destroy')), false);
    assert.deepEqual(await running, { kind: 'exited', exitCode: 137 });
    await waitFor(() => isGone(pid));
    await backend.destroyRun('run-destroy');
    await backend.destroyRun('never-started');
  });

  it('refuses run ids that are not one plain path segment', async () => {
    const backend = new LocalBackend({ baseDir });
    await assert.rejects(backend.setupRun(runSetup('../escape')), /invalid run id/);
    await assert.rejects(backend.destroyRun('..'), /invalid run id/);
    await assert.rejects(backend.destroyRun('a/b'), /invalid run id/);
  });

  it('reports a job of a run that was never set up as a backend error', async () => {
    const backend = new LocalBackend({ baseDir });
    const outcome = await backend.runJob(job('run-missing', 'true'), collector().output, never);
    assert.equal(outcome.kind, 'backend_error');
  });

  it('a job whose output is not wanted yet is paused, not buffered, and loses nothing', async () => {
    const MiB = 1024 * 1024;
    const total = 40 * MiB;
    const backend = new LocalBackend({ baseDir });
    await backend.setupRun(runSetup('run-backpressure'));
    let received = 0;
    let asked = false;
    let release: () => void = () => {};
    const wanted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const output: JobOutput = {
      write: (_stream, chunk) => {
        received += chunk.length;
      },
      system: () => {},
      ready: () => {
        if (received < MiB) return null;
        asked = true;
        return wanted;
      },
    };
    let ended = false;
    const running = backend
      .runJob(
        job('run-backpressure', `head -c ${total} /dev/zero | tr '\\0' x; echo; echo done`),
        output,
        never,
      )
      .finally(() => {
        ended = true;
      });
    try {
      // Wait until the reading has stopped (the count no longer moves) or everything was read.
      let last = -1;
      while (received < total && (!asked || received !== last)) {
        last = received;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      assert.ok(received < 16 * MiB, `${received} bytes read while the output was not wanted`);
      assert.equal(ended, false, 'the job is still running: its writes block');
      release();
      assert.deepEqual(await running, { kind: 'exited', exitCode: 0 });
      assert.equal(received, total + '\ndone\n'.length, 'every byte arrived');
    } finally {
      release();
      await backend.destroyRun('run-backpressure');
    }
  });
});
