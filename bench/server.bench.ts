/**
 * Issue #3 benchmarks against a real `slipway server` child process (embedded agent, Docker):
 *  1. git push received → first log line of the first job, seen by an SSE client
 *     (vs a bare create+attach+start → first byte through the Engine API, same run);
 *  2. one job printing 100 MB in 100-byte lines → lines/s at an SSE client, and the growth of
 *     the server's RSS while it streams.
 * Run: `npx tsx bench/server.bench.ts` (ROUNDS=N). Prints Markdown for BENCHMARKS.md.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Dockerode from 'dockerode';
import { createParser } from 'eventsource-parser';
import { createAdminToken, startSlipwayServer } from '../test/support/slipway-server.js';
import { ensureBusyboxImage } from '../test/support/test-images.js';
import { bareFirstByte, bareRun } from './pipeline.bench.js';
import { rss, waitFor } from './process-probes.js';
import { fmtMs, median } from './stats.js';

const rounds = Number(process.env.ROUNDS ?? 5);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const image = await ensureBusyboxImage(docker);
const password = 'bench-password-0123456789';

const server = await startSlipwayServer({
  password,
  killAfterMs: 3_600_000,
  env: { SLIPWAY_LOG_LEVEL: 'silent', SLIPWAY_LOG_MAX_BYTES: String(200 * 1024 * 1024) },
});
const { url, port } = server;
let repo = '';
try {
  const token = await createAdminToken(url, password, 'bench');
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  const created = await api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({ name: 'bench', source: { kind: 'builtin' } }),
  });
  if (!created.ok) throw new Error(`create project: ${created.status} ${await created.text()}`);

  repo = mkdtempSync(join(tmpdir(), 'slipway-bench-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=bench', '-c', 'user.email=b@x', ...args]);
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', `http://admin:${token}@127.0.0.1:${port}/git/bench.git`);

  const firstLine: number[] = [];
  const withPush: number[] = [];
  const bareFirst: number[] = [];
  for (let i = 0; i < rounds; i++) {
    writeFileSync(join(repo, '.slipway.yml'), pipeline(image, `echo hello ${i}`));
    git('add', '.');
    git('commit', '-q', '-m', `round ${i}`);
    const t0 = performance.now();
    git('push', '-q', 'origin', 'main');
    // The push is received and answered when git exits; the run is created right after.
    const t1 = performance.now();
    const run = await waitForRun(api, i + 1);
    await firstLogLine(token, `/api/projects/bench/runs/${run}/jobs/hello/logs/stream`);
    const seen = performance.now();
    firstLine.push(seen - t1);
    withPush.push(seen - t0);
    await waitForRunEnd(api, run);
    await warmSettled();
    bareFirst.push(await bareFirstByte(docker, image));
  }

  // Issue #11: a 10-stage pipeline of one trivial job each, as the server records it (the
  // agent's run start → end), vs 10 bare create+start+wait+remove. One unmeasured run first:
  // the measured ones are repeat runs, as on a project pushed to again.
  const stages = Array.from(
    { length: 10 },
    (_, k) => `  - name: s${k}\n    jobs:\n      j${k}: { script: ["true"] }`,
  );
  const tenStages = `version: 1\nimage: ${image}\nstages:\n${stages.join('\n')}\n`;
  let runs = rounds;
  const recorded: number[] = [];
  const pushToEnd: number[] = [];
  const bareTen: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    writeFileSync(join(repo, '.slipway.yml'), tenStages.replace('version: 1', `version: 1\n# ${i}`));
    git('add', '.');
    git('commit', '-q', '-m', `ten ${i}`);
    const t0 = performance.now();
    git('push', '-q', 'origin', 'main');
    const run = await waitForRun(api, ++runs);
    const ended = await waitForRunEnd(api, run);
    const seen = performance.now() - t0;
    await warmSettled();
    if (i === 0) continue;
    recorded.push(ended.finishedAt - ended.startedAt);
    pushToEnd.push(seen);
    bareTen.push(await timedTen());
  }

  // 100 MB in 100-byte lines = 1,048,576 lines (99 characters + newline).
  const lines = (100 * 1024 * 1024) / 100;
  writeFileSync(join(repo, '.slipway.yml'), pipeline(image, `yes '${'x'.repeat(99)}' | head -n ${lines}`));
  git('add', '.');
  git('commit', '-q', '-m', 'big log');
  const rssBefore = rss(server.proc.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rss(server.proc.pid));
  }, 100);
  git('push', '-q', 'origin', 'main');
  const bigRun = await waitForRun(api, runs + 1);
  const seen = await countLines(token, `/api/projects/bench/runs/${bigRun}/jobs/hello/logs/stream`);
  clearInterval(sampler);
  // The same log again, now entirely from the database: what a late or reconnecting client sees.
  const replay = await countLines(token, `/api/projects/bench/runs/${bigRun}/jobs/hello/logs/stream`);

  process.stdout.write(`### Server (issue #3) — ${new Date().toISOString().slice(0, 10)}, ${rounds} rounds, medians

| measure | Slipway | bare Engine API | target |
|---|---|---|---|
| git push answered → first log line at an SSE client | ${fmtMs(median(firstLine))} | ${fmtMs(median(bareFirst))} (create+attach+start → first byte) | ≤ 0.6 s |
| the same, counting the \`git push\` command itself | ${fmtMs(median(withPush))} | — | — |
| 100 MB job log (100-byte lines) → SSE client | ${Math.round(seen.rate).toLocaleString('en')} lines/s (${seen.count.toLocaleString('en')} lines) | — | ≥ 150,000 lines/s |
| the same log replayed from the database → SSE client | ${Math.round(replay.rate).toLocaleString('en')} lines/s | — | — |
| 10 stages × 1 trivial job, repeat run: the run's recorded start → end | ${fmtMs(median(recorded))} | ${fmtMs(median(bareTen))} (10 × create+start+wait+remove) | ≤ 0.5× (**${(median(recorded) / median(bareTen)).toFixed(3)}×**) |
| the same, git push → end seen by the client | ${fmtMs(median(pushToEnd))} | — | — |
| server RSS growth while streaming it | ${((rssPeak - rssBefore) / 1024 / 1024).toFixed(0)} MB (from ${(rssBefore / 1024 / 1024).toFixed(0)} MB) | — | ≤ 100 MB |

Raw push→first line (ms): ${firstLine.map((x) => x.toFixed(0)).join(', ')}
`);
} finally {
  // The server removes its job containers on SIGTERM; stop() waits (bounded) before deleting its data.
  await server.stop();
  if (repo) rmSync(repo, { recursive: true, force: true });
}

function pipeline(img: string, script: string): string {
  return `version: 1\nimage: ${img}\nstages:\n  - name: s\n    jobs:\n      hello:\n        script:\n          - ${JSON.stringify(script)}\n`;
}

async function waitForRun(api: (p: string) => Promise<Response>, number: number): Promise<number> {
  await waitFor(async () => (await api(`/api/projects/bench/runs/${number}`)).ok, 30_000, 5);
  return number;
}

interface RunTimes {
  status: string;
  startedAt: number;
  finishedAt: number;
}

async function waitForRunEnd(api: (p: string) => Promise<Response>, number: number): Promise<RunTimes> {
  let last: RunTimes | null = null;
  await waitFor(
    async () => {
      last = (await (await api(`/api/projects/bench/runs/${number}`)).json()) as RunTimes;
      return ['succeeded', 'failed', 'canceled', 'skipped'].includes(last.status);
    },
    120_000,
    10,
  );
  return last as unknown as RunTimes;
}

/**
 * Waits (bounded) until the embedded agent has prepared the next run's warm containers, so
 * that their creation never overlaps a bare baseline: the count of idle ones stops changing.
 */
async function warmSettled(): Promise<void> {
  let previous = -1;
  let stable = 0;
  const deadline = Date.now() + 60_000;
  while (stable < 3 && Date.now() < deadline) {
    const idle = (
      await docker.listContainers({ all: true, filters: { label: ['io.slipway.warm-pool'] } })
    ).filter((c) => /^\/slipway-warm-[0-9a-f]{12}-/.test(c.Names[0] ?? ''));
    const count = idle.some((c) => c.State === 'created') ? -2 : idle.length;
    stable = count === previous && count >= 0 ? stable + 1 : 0;
    previous = count;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function timedTen(): Promise<number> {
  const t0 = performance.now();
  for (let j = 0; j < 10; j++) await bareRun(docker, image, ['true']);
  return performance.now() - t0;
}

async function firstLogLine(token: string, path: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`no log line at ${path} within 30 s`);
    const abort = new AbortController();
    const bound = setTimeout(() => abort.abort(), deadline - Date.now());
    const res = await fetch(`${url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    if (res.ok) {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          if (Buffer.from(chunk).includes('event: lines')) return;
        }
      } finally {
        clearTimeout(bound);
        abort.abort();
      }
    }
    clearTimeout(bound);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function countLines(token: string, path: string): Promise<{ count: number; rate: number }> {
  let count = 0;
  let start = 0;
  let last = 0;
  let ended = false;
  let lastId = '';
  // 100 MB streams in seconds; five minutes means something is stuck.
  const signal = AbortSignal.timeout(300_000);
  while (!ended) {
    const res = await fetch(`${url}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...(lastId ? { 'last-event-id': lastId } : {}) },
      signal,
    });
    if (!res.ok) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const parser = createParser({
      onEvent: (e) => {
        if (e.event === 'end') ended = true;
        if (e.event !== 'lines') return;
        const batch = JSON.parse(e.data) as unknown[];
        if (!start) start = performance.now();
        count += batch.length;
        last = performance.now();
        if (e.id) lastId = e.id;
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      parser.feed(decoder.decode(chunk, { stream: true }));
  }
  return { count, rate: count / ((last - start) / 1000) };
}
