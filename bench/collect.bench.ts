/**
 * Issue #13 benchmark: page-view events per second into `POST /api/collect` of a real
 * `slipway server` process on SQLite (site key, declared origin, zod, bot filter, visitor hash,
 * serving-release lookup, batched write-behind), against a bare baseline in the same run: a
 * Fastify process that parses the same body and answers 204 without storing. Interleaved rounds,
 * medians. The server's RSS is read from /proc before and after the load: the write-behind
 * buffer is bounded, so it must stay flat. Every event sent is checked to be stored at the end.
 * Target: ≥ 5,000 events/s. `npx tsx bench/collect.bench.ts` (ROUNDS=N default 5, SECONDS=N default 5,
 * CONCURRENCY=N default 64).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createAdminToken, startSlipwayServer } from '../test/support/slipway-server.js';
import { median } from './stats.js';

const ROUNDS = Math.max(3, Number(process.env.ROUNDS ?? 5));
const SECONDS = Math.max(2, Number(process.env.SECONDS ?? 5));
const CONCURRENCY = Math.max(1, Number(process.env.CONCURRENCY ?? 64));
const ORIGIN = 'https://bench.example.com';
const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU seconds (user + system) a process has used: /proc/<pid>/stat fields 14 and 15, in ticks of 1/100 s. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pid of the node process serving (the CLI may run it under a tsx loader child). */
function serverPid(rootPid: number): number {
  const children = (): number[] => {
    try {
      return readFileSync(`/proc/${rootPid}/task/${rootPid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  const kids = children();
  return kids.length === 1 ? (kids[0] as number) : rootPid;
}

/** Sends page views for `seconds` with `CONCURRENCY` keep-alive connections; returns accepted/s. */
async function load(
  port: number,
  body: string,
  seconds: number,
): Promise<{ perSecond: number; ok: number; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const end = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const one = () =>
    new Promise<number>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/collect',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'text/plain;charset=UTF-8',
            origin: ORIGIN,
            'user-agent': UA,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const status = await one();
        if (status === 202 || status === 204) ok++;
        else failed++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  return { perSecond: ok / elapsed, ok, failed };
}

async function startBaseline(): Promise<{ port: number; pid: number; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'collect-baseline-server.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`baseline exited ${code}`)));
  });
  return { port, pid: child.pid as number, stop: () => child.kill('SIGTERM') };
}

const password = `bench-${Math.random().toString(36).slice(2)}`;
const server = await startSlipwayServer({
  password,
  killAfterMs: 3_600_000,
  env: {
    SLIPWAY_EMBEDDED_AGENT: 'false',
    SLIPWAY_COLLECT_RATE_PER_ADDRESS: '100000000',
    SLIPWAY_COLLECT_RATE_PER_SITE: '100000000',
  },
});
const baseline = await startBaseline();
try {
  const token = await createAdminToken(server.url, password, 'bench');
  const api = async (path: string, method: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  await api('/api/projects', 'POST', { name: 'bench', source: { kind: 'builtin' } });
  await api('/api/projects/bench/applications', 'POST', {
    name: 'web',
    environments: [{ name: 'production' }],
  });
  const site = await api('/api/projects/bench/applications/web/collect-site', 'PUT', {
    origins: [{ origin: ORIGIN, environment: null }],
  });
  const body = JSON.stringify({
    site: site.siteKey,
    kind: 'pageview',
    url: `${ORIGIN}/pricing?ref=bench`,
    referrer: 'https://search.example.org/',
  });
  const pid = serverPid(server.proc.pid as number);

  // Warm-up: JIT, SQLite page cache, the first salt and site lookups.
  await load(server.port, body, 2);
  await load(baseline.port, body, 1);
  const rssBefore = rssMb(pid);
  // What the server burns with no traffic (lease expiry, scheduler, sweeps): subtracted from the
  // per-event CPU figure, which at low rates it would otherwise dominate.
  const idle0 = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, 5000));
  const idlePerSecond = (cpuSeconds(pid) - idle0) / 5;
  const slip: number[] = [];
  const bare: number[] = [];
  // On a shared machine the wall-clock rate depends on what else runs; CPU time per event does not
  // (much): events per CPU-second of the serving process is what one free core would sustain.
  const slipCpu: number[] = [];
  const bareCpu: number[] = [];
  let sent = 0;
  let failures = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const bareCpu0 = cpuSeconds(baseline.pid);
    const b = await load(baseline.port, body, SECONDS);
    bareCpu.push(b.ok / Math.max(0.01, cpuSeconds(baseline.pid) - bareCpu0));
    const slipCpu0 = cpuSeconds(pid);
    const s = await load(server.port, body, SECONDS);
    const busy = cpuSeconds(pid) - slipCpu0 - idlePerSecond * (s.ok / Math.max(1, s.perSecond));
    slipCpu.push(s.ok / Math.max(0.01, busy));
    bare.push(b.perSecond);
    slip.push(s.perSecond);
    sent += s.ok;
    failures += s.failed;
    process.stdout.write(
      `round ${round + 1}: baseline ${b.perSecond.toFixed(0)}/s (${bareCpu.at(-1)?.toFixed(0)}/CPU-s), slipway ${s.perSecond.toFixed(0)}/s (${slipCpu.at(-1)?.toFixed(0)}/CPU-s, failed ${s.failed}), rss ${rssMb(pid).toFixed(0)} MB\n`,
    );
  }
  // Everything accepted is written: wait for the batches, then count.
  const deadline = Date.now() + 60_000;
  let stored = 0;
  while (Date.now() < deadline) {
    const report = (await api('/api/projects/bench/applications/web/behaviour', 'GET')) as {
      totals: { views: number };
    };
    stored = report.totals.views;
    if (stored >= sent) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const rssAfter = rssMb(pid);
  const ms = median(slip);
  const mb = median(bare);
  process.stdout.write(
    [
      '',
      `collect endpoint (SQLite, ${CONCURRENCY} keep-alive connections, ${ROUNDS} interleaved rounds of ${SECONDS}s)`,
      `  baseline (bare Fastify, 204, no storage): median ${mb.toFixed(0)} events/s`,
      `  slipway POST /api/collect:                median ${ms.toFixed(0)} events/s (${((ms / mb) * 100).toFixed(0)} % of baseline) — target ≥ 5000`,
      `  per CPU-second of the serving process: baseline ${median(bareCpu).toFixed(0)}, slipway ${median(slipCpu).toFixed(0)} events (server idle CPU ${(idlePerSecond * 1000).toFixed(0)} ms/s subtracted)`,
      `  accepted ${sent} (+ warm-up), not accepted ${failures}; stored views ${stored} (warm-up included)`,
      `  server RSS: ${rssBefore.toFixed(0)} MB after warm-up → ${rssAfter.toFixed(0)} MB after all rounds`,
      '',
    ].join('\n'),
  );
} finally {
  baseline.stop();
  await server.stop();
}
