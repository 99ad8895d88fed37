/**
 * The whole loop on a real `slipway server` process (embedded agent, real Docker engine):
 * git push → run appears → jobs run in containers → logs stream over SSE → status; manual run of
 * a tag through the CLI; cancel; resume from failed; a restart with a queued run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { type CliProcess, git, makeRepo, runCli, startCli } from '../support/cli.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const PASSWORD = 'e2e-admin-password-42';
let image = '';
let port = 0;
let url = '';
let dataDir = '';
let configHome = '';
let server: CliProcess | null = null;
let token = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function startServer(env: Record<string, string> = {}): Promise<CliProcess> {
  const proc = startCli(['server'], {
    cwd: dataDir,
    killAfterMs: 600_000,
    env: {
      SLIPWAY_DATA_DIR: dataDir,
      SLIPWAY_PORT: String(port),
      SLIPWAY_ADMIN_PASSWORD: PASSWORD,
      SLIPWAY_DEMO: 'false',
      SLIPWAY_LEASE_TIMEOUT: '5s',
      SLIPWAY_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  await proc.waitForOutput(/Slipway is running at/, 60_000);
  return proc;
}

async function stopServer(): Promise<void> {
  if (!server) return;
  server.kill('SIGTERM');
  const result = await server.done;
  server = null;
  assert.equal(result.code, 0, `server exits cleanly on SIGTERM:\n${result.stderr}`);
}

const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await res.text();
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
};

interface RunJson {
  id: string;
  number: number;
  record: string;
  status: string;
  trigger: string;
  actor: string;
  jobs: { name: string; status: string }[];
}

async function waitForRun(
  number: number,
  done: (run: RunJson) => boolean,
  timeoutMs = 90_000,
): Promise<RunJson> {
  const deadline = Date.now() + timeoutMs;
  let last: RunJson | null = null;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/projects/app/runs/${number}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.ok) {
      last = (await res.json()) as RunJson;
      if (done(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run #${number} did not get there in time; last seen: ${JSON.stringify(last)}`);
}

const terminal = (r: RunJson) => ['succeeded', 'failed', 'canceled', 'skipped'].includes(r.status);

/** Reads a job's log over SSE until the server says `end`. */
async function sseLog(number: number, job: string): Promise<string[]> {
  const res = await fetch(`${url}/api/projects/app/runs/${number}/jobs/${job}/logs/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60_000),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes('event: end')) break;
  }
  const lines: string[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.includes('event: lines')) continue;
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6))
      .join('\n');
    for (const line of JSON.parse(data) as { text: string }[]) lines.push(line.text);
  }
  return lines;
}

const pipeline = (body: string) => `version: 1\nimage: ${image}\nstages:\n${body}`;

async function pushRepo(config: string, branch: string, files: Record<string, string> = {}) {
  const repo = await makeRepo({ config, branch, files });
  await git(repo.dir, ['remote', 'add', 'slipway', `http://admin:${token}@127.0.0.1:${port}/git/app.git`]);
  await git(repo.dir, ['-c', 'credential.helper=', 'push', '-q', 'slipway', branch]);
  return repo;
}

async function latestNumber(): Promise<number> {
  const page = await api<{ runs: { number: number }[] }>('/api/projects/app/runs?limit=1');
  return page.runs[0]?.number ?? 0;
}

/** Runs are created right after the push answers; wait for the number after `previous`. */
async function newRun(previous: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const latest = await latestNumber();
    if (latest > previous) return previous + 1;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no run after #${previous} appeared`);
}

const cli = (args: string[]) =>
  runCli(args, { cwd: dataDir, killAfterMs: 120_000, env: { XDG_CONFIG_HOME: configHome } });

describe('slipway server, end to end', { timeout: 600_000 }, () => {
  before(async () => {
    image = await ensureBusyboxImage(docker);
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'slipway-server-e2e-'));
    configHome = mkdtempSync(join(tmpdir(), 'slipway-cli-config-'));
    server = await startServer();

    const login = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const created = await fetch(`${url}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'e2e' }),
    });
    token = ((await created.json()) as { token: string }).token;
    await api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: 'app', source: { kind: 'builtin' } }),
    });
    const loggedIn = await cli(['login', '--server', url, '--token', token]);
    assert.equal(loggedIn.code, 0, loggedIn.stderr);
  });

  after(async () => {
    await stopServer().catch(() => server?.kill('SIGKILL'));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(configHome, { recursive: true, force: true });
  });

  test('git push → run → containers → SSE logs → succeeded, listed by the CLI', async () => {
    const repo = await pushRepo(
      pipeline(
        [
          '  - name: build',
          '    jobs:',
          '      compile: { script: ["echo built-by-$SLIPWAY_JOB > out.txt"] }',
          '  - name: test',
          '    jobs:',
          '      unit: { script: ["cat out.txt", "echo record=$SLIPWAY_RECORD"] }',
          '',
        ].join('\n'),
      ),
      'feature/login',
    );
    const run = await waitForRun(1, terminal);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.record, `feature-login-${repo.shortSha}`);
    assert.equal(run.trigger, 'push');
    const log = await sseLog(1, 'unit');
    assert.ok(log.includes('built-by-compile'), log.join('\n'));
    assert.ok(log.includes(`record=feature-login-${repo.shortSha}`), log.join('\n'));

    const listed = await cli(['runs', '--project', 'app']);
    assert.equal(listed.code, 0, listed.stderr);
    // Piped (not a terminal): the status in words, no stage emoji.
    assert.match(
      listed.stdout,
      new RegExp(`#1 +feature-login-${repo.shortSha} +admin +feature/login·${repo.shortSha} +succeeded`),
    );
    await repo.cleanup();
  });

  test('the CLI lists projects and manages secrets without ever printing a value', async () => {
    const projects = await cli(['projects']);
    assert.equal(projects.code, 0, projects.stderr);
    assert.match(projects.stdout, /^app\s/m);
    const value = 'cli-secret-value-0042';
    const set = await cli(['secrets', 'set', 'DEPLOY_TOKEN', '--value', value, '--project', 'app']);
    assert.equal(set.code, 0, set.stderr);
    const listed = await cli(['secrets', 'ls', '--project', 'app', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /DEPLOY_TOKEN/);
    assert.ok(!listed.stdout.includes(value), 'the value is never returned');
    const short = await cli(['secrets', 'set', 'SHORT', '--value', 'abc', '--project', 'app']);
    assert.equal(short.code, 2);
    assert.ok(!short.stderr.includes('abc'), short.stderr);
    const removed = await cli(['secrets', 'rm', 'DEPLOY_TOKEN', '--project', 'app']);
    assert.equal(removed.code, 0, removed.stderr);
  });

  test('a manual run of a tag through the CLI follows its logs to the end', async () => {
    const previous = await latestNumber();
    const repo = await pushRepo(
      pipeline('  - name: s\n    jobs:\n      hello: { script: ["echo on $SLIPWAY_TAG"] }\n'),
      'main',
    );
    const mainRun = await newRun(previous);
    await waitForRun(mainRun, terminal);
    await git(repo.dir, ['tag', 'v1.0.0']);
    await git(repo.dir, ['-c', 'credential.helper=', 'push', '-q', 'slipway', 'v1.0.0']);
    const tagRun = await waitForRun(await newRun(mainRun), terminal);
    assert.equal(tagRun.record, 'v1.0.0');

    const manual = await cli(['run', '--project', 'app', '--tag', 'v1.0.0', '-f']);
    assert.equal(manual.code, 0, manual.stdout + manual.stderr);
    assert.match(manual.stdout, /hello │ on v1\.0\.0/);
    const run = await waitForRun(tagRun.number + 1, terminal);
    assert.equal(run.trigger, 'manual');
    assert.equal(run.actor, 'admin');
    await repo.cleanup();
  });

  test('cancel stops the containers and ends the run canceled', async () => {
    const previous = await latestNumber();
    const repo = await pushRepo(
      pipeline(
        '  - name: s\n    jobs:\n      slow: { script: ["sleep 300"] }\n  - name: t\n    jobs:\n      after: { script: ["echo no"] }\n',
      ),
      'slow',
    );
    const number = await newRun(previous);
    const running = await waitForRun(number, (r) =>
      r.jobs.some((j) => j.name === 'slow' && j.status === 'running'),
    );
    const canceled = await cli(['cancel', String(number), '--project', 'app']);
    assert.equal(canceled.code, 0, canceled.stderr);
    const run = await waitForRun(number, terminal, 60_000);
    assert.equal(run.status, 'canceled');
    assert.deepEqual(
      run.jobs.map((j) => [j.name, j.status]),
      [
        ['slow', 'canceled'],
        ['after', 'skipped'],
      ],
    );
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`io.slipway.run=${running.id}`] },
    });
    assert.deepEqual(left, [], 'no container of the run is left');
    await repo.cleanup();
  });

  test('resume from failed reruns only the failed job, on the workspace the others left', async () => {
    const previous = await latestNumber();
    const repo = await pushRepo(
      pipeline(
        [
          '  - name: build',
          '    jobs:',
          '      compile: { script: ["echo built-once > built.txt"] }',
          '  - name: test',
          '    jobs:',
          '      flaky: { script: ["if [ -f fixed ]; then cat built.txt; else touch fixed; exit 1; fi"] }',
          '',
        ].join('\n'),
      ),
      'flaky',
    );
    const first = await waitForRun(await newRun(previous), terminal);
    assert.equal(first.status, 'failed');
    const resumed = await cli(['rerun', String(first.number), '--failed', '--project', 'app']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const second = await waitForRun(first.number + 1, terminal);
    assert.notEqual(second.number, first.number);
    assert.equal(second.status, 'succeeded', JSON.stringify(second));
    assert.ok((await sseLog(second.number, 'flaky')).includes('built-once'));
    await repo.cleanup();
  });

  test('a run queued while no agent runs survives a restart and then runs', async () => {
    await stopServer();
    server = await startServer({ SLIPWAY_EMBEDDED_AGENT: 'false' });
    const before = await latestNumber();
    const repo = await pushRepo(
      pipeline('  - name: s\n    jobs:\n      later: { script: ["echo after restart"] }\n'),
      'queued',
    );
    const queued = await waitForRun(await newRun(before), (r) => r.status === 'queued', 30_000);
    await stopServer();
    server = await startServer();
    const run = await waitForRun(queued.number, terminal);
    assert.equal(run.status, 'succeeded');
    assert.ok((await sseLog(run.number, 'later')).includes('after restart'));
    await repo.cleanup();
  });
});
