/**
 * Issue #9 item 22: one job floods its log while another run is watched live. Against a real
 * `slipway server` child process (embedded agent, capacity 2, Docker):
 *   - run A prints 200 MB in 100-byte lines, followed live by an SSE client;
 *   - run B prints a line every 100 ms carrying the kernel's uptime, followed live by another
 *     SSE client, which computes each line's lag: its uptime at arrival minus the printed one
 *     (containers share the host kernel's clock, so no clock skew, 10 ms resolution).
 * Reports the server's RSS growth while A runs, A's throughput, and B's live lag (median, p95,
 * max) over the lines B printed while A ran. Targets: RSS growth < 100 MB, B's lag < 1 s.
 * Run: `npx tsx bench/log-flood.bench.ts` (FLOOD_MB=N to change the size). Prints Markdown.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Dockerode from 'dockerode';
import { createParser } from 'eventsource-parser';
import { createAdminToken, startSlipwayServer } from '../test/support/slipway-server.js';
import { ensureBusyboxImage } from '../test/support/test-images.js';
import { rss, waitFor } from './process-probes.js';
import { fmtMs } from './stats.js';

const floodMb = Number(process.env.FLOOD_MB ?? 200);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const image = await ensureBusyboxImage(docker);
const password = 'bench-password-0123456789';
const MiB = 1024 * 1024;

const server = await startSlipwayServer({
  password,
  killAfterMs: 3_600_000,
  env: {
    SLIPWAY_LOG_LEVEL: 'silent',
    SLIPWAY_LOG_MAX_BYTES: String((floodMb + 16) * MiB),
    SLIPWAY_AGENT_CAPACITY: '2',
  },
});
const { url, port } = server;
const repos: string[] = [];
try {
  const token = await createAdminToken(url, password, 'bench');
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  const push = async (project: string, script: string) => {
    const created = await api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: project, source: { kind: 'builtin' } }),
    });
    if (!created.ok) throw new Error(`create project: ${created.status} ${await created.text()}`);
    const repo = mkdtempSync(join(tmpdir(), `slipway-bench-${project}-`));
    repos.push(repo);
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, '-c', 'user.name=bench', '-c', 'user.email=b@x', ...args]);
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', `http://admin:${token}@127.0.0.1:${port}/git/${project}.git`);
    writeFileSync(
      join(repo, '.slipway.yml'),
      `version: 1\nimage: ${image}\nstages:\n  - name: s\n    jobs:\n      main:\n        script:\n          - ${JSON.stringify(script)}\n`,
    );
    git('add', '.');
    git('commit', '-q', '-m', project);
    git('push', '-q', 'origin', 'main');
    await waitFor(async () => (await api(`/api/projects/${project}/runs/1`)).ok, 30_000);
  };
  const runStatus = async (project: string) =>
    ((await (await api(`/api/projects/${project}/runs/1`)).json()) as { status: string }).status;

  // B: the run someone watches while A floods.
  await push(
    'ticker',
    'i=0; while [ $i -lt 6000 ]; do read up rest < /proc/uptime; echo "tick $up"; sleep 0.1; i=$((i+1)); done',
  );
  const lags: { printed: number; lag: number }[] = [];
  const ticker = follow(token, '/api/projects/ticker/runs/1/jobs/main/logs/stream', (text) => {
    const m = /^tick (\d+\.\d+)$/.exec(text);
    if (!m) return;
    const printed = Number(m[1]);
    lags.push({ printed, lag: (uptime() - printed) * 1000 });
  });
  await waitFor(async () => lags.length >= 5, 60_000);

  // A: the flood, followed live too (the worst case: both jobs' lines go out as they come).
  const rssBefore = rss(server.proc.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rss(server.proc.pid));
  }, 100);
  const floodLines = Math.floor((floodMb * MiB) / 100);
  const floodStart = uptime();
  const t0 = performance.now();
  await push('flood', `yes '${'x'.repeat(99)}' | head -n ${floodLines}`);
  let seen = 0;
  const flood = follow(token, '/api/projects/flood/runs/1/jobs/main/logs/stream', () => {
    seen++;
  });
  await waitFor(
    async () => ['succeeded', 'failed', 'canceled'].includes(await runStatus('flood')),
    1_800_000,
    200,
  );
  await flood.done;
  const floodEnd = uptime();
  const took = performance.now() - t0;
  clearInterval(sampler);
  const floodStatus = await runStatus('flood');

  await api('/api/projects/ticker/runs/1/cancel', { method: 'POST', body: '{}' });
  ticker.stop();

  const during = lags.filter((l) => l.printed >= floodStart && l.printed <= floodEnd).map((l) => l.lag);
  const sorted = [...during].sort((a, b) => a - b);
  const pick = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mb = (bytes: number) => `${(bytes / MiB).toFixed(0)} MB`;
  process.stdout.write(`### Log flood (issue #9 item 22) — ${new Date().toISOString().slice(0, 10)}

One job prints ${floodMb} MB (100-byte lines) while another run prints a line every 100 ms; both
followed live over SSE; real \`slipway server\` (embedded agent, Docker).

| measure | result | target |
|---|---|---|
| flood job: ${floodLines.toLocaleString('en')} lines → stored, seen live | ${fmtMs(took)} (${((floodMb / took) * 1000).toFixed(1)} MB/s), ${seen.toLocaleString('en')} lines at the SSE client, run ${floodStatus} | — |
| server RSS growth while it runs | ${mb(rssPeak - rssBefore)} (from ${mb(rssBefore)} to ${mb(rssPeak)}) | < 100 MB |
| other run's live lag, median | ${fmtMs(pick(0.5))} (${during.length} lines while the flood ran) | < 1 s |
| other run's live lag, p95 / max | ${fmtMs(pick(0.95))} / ${fmtMs(sorted.at(-1) ?? Number.NaN)} | < 1 s |
`);
} finally {
  await server.stop();
  for (const repo of repos) rmSync(repo, { recursive: true, force: true });
}

/** Follows a job's log over SSE (resuming after drops) until `end`; calls `onLine` per line. */
function follow(token: string, path: string, onLine: (text: string) => void) {
  const abort = new AbortController();
  let lastId = '';
  const done = (async () => {
    let ended = false;
    while (!ended && !abort.signal.aborted) {
      const res = await fetch(`${url}${path}`, {
        headers: { authorization: `Bearer ${token}`, ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal: abort.signal,
      }).catch(() => null);
      if (!res?.ok) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const parser = createParser({
        onEvent: (e) => {
          if (e.event === 'end') ended = true;
          if (e.event !== 'lines') return;
          for (const line of JSON.parse(e.data) as { text: string }[]) onLine(line.text);
          if (e.id) lastId = e.id;
        },
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
          parser.feed(decoder.decode(chunk, { stream: true }));
      } catch {
        // aborted or dropped: the loop decides
      }
    }
  })();
  return { done, stop: () => abort.abort() };
}

/** The kernel's uptime in seconds: the clock the ticker job prints too. */
function uptime(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}
