/**
 * The HTTP-aware proxy (issue #13) against direct access to the same container, same run, with
 * HAProxy in front of the same container as a reference for what a proxy costs on this machine:
 * a real docker-target deploy of the Node test app, then interleaved rounds
 * (Slipway, direct, HAProxy, Slipway, direct, HAProxy…) for each of two endpoints:
 *   - `/work`, a few bytes of text: the app does almost nothing, so any proxy's own cost
 *     dominates (the worst case for a proxy);
 *   - `/page`, a ~35 KB server-rendered HTML table built per request: a real application's answer.
 * Per round and target: latency, sequential keep-alive GETs, the round's p50; throughput,
 * CONCURRENCY keep-alive clients for THROUGHPUT_MS, requests per second. The load runs in a child
 * process so it does not share the proxy's event loop (the proxy lives in the agent's process in
 * production, the clients elsewhere). Medians of the rounds. Without haproxy installed the
 * HAProxy rows are skipped (see bench/haproxy-reference.ts).
 *
 *   ROUNDS=5 npx tsx bench/http-proxy.bench.ts
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { DockerTarget } from '../src/deploy/docker-target.js';
import { environmentName } from '../src/deploy/labels.js';
import { freePort } from '../test/support/free-port.js';
import { ensureTrafficAppImage, TRAFFIC_APP_PORT } from '../test/support/traffic-app-image.js';
import { findHaproxy, haproxySearchPath, type ReferenceProxy, startHaproxy } from './haproxy-reference.js';
import { median } from './stats.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const LATENCY_REQUESTS = Number(process.env.LATENCY_REQUESTS ?? 400);
const THROUGHPUT_MS = Number(process.env.THROUGHPUT_MS ?? 2_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const ENDPOINTS = ['/work', '/page'] as const;

interface Sample {
  p50Ms: number;
  perSecond: number;
  /** Body bytes of one answer, to say what the endpoint sends. */
  bytes: number;
}
interface Target {
  name: string;
  host: string;
  port: number;
}

/**
 * The client, run in a child process: prints a Sample. Any answer other than 200 fails the
 * bench (a proxy that answers 502s fast must not look fast).
 */
const CLIENT = `
const http = require('node:http');
const [host, port, path, n, ms, conc] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(conc) });
let bytes = 0;
const get = () => new Promise((resolve, reject) => {
  const req = http.request({ host, port: Number(port), path, agent }, (res) => {
    if (res.statusCode !== 200) return reject(new Error('HTTP ' + res.statusCode + ' from ' + host + ':' + port + path));
    let size = 0;
    res.on('data', (c) => { size += c.length; });
    res.on('end', () => { bytes = size; resolve(); });
    res.on('error', reject);
  });
  req.on('error', reject); req.end();
});
(async () => {
  for (let i = 0; i < 50; i++) await get();
  const lat = [];
  for (let i = 0; i < Number(n); i++) { const t = process.hrtime.bigint(); await get(); lat.push(Number(process.hrtime.bigint() - t) / 1e6); }
  lat.sort((a, b) => a - b);
  let count = 0; const end = Date.now() + Number(ms);
  await Promise.all(Array.from({ length: Number(conc) }, async () => { while (Date.now() < end) { await get(); count++; } }));
  console.log(JSON.stringify({ p50Ms: lat[Math.floor(lat.length / 2)], perSecond: count / (Number(ms) / 1000), bytes }));
  agent.destroy();
})().catch((e) => { console.error(String(e)); process.exit(1); });
`;

async function measure(target: Target, path: string): Promise<Sample> {
  const { stdout } = await run(process.execPath, [
    '-e',
    CLIENT,
    target.host,
    String(target.port),
    path,
    String(LATENCY_REQUESTS),
    String(THROUGHPUT_MS),
    String(CONCURRENCY),
  ]);
  return JSON.parse(stdout) as Sample;
}

const ms = (v: number): string => `${v.toFixed(3)} ms`;
const perSecond = (v: number): string => `${Math.round(v).toLocaleString('en-US')}/s`;
const added = (a: number, b: number): string => `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(3)} ms`;

/** One endpoint's medians as a Markdown table (ready for BENCHMARKS.md), then the raw rounds. */
function report(path: string, targets: Target[], samples: Map<string, Sample[]>): void {
  const of = (t: Target): Sample[] => samples.get(`${path} ${t.name}`) ?? [];
  const med = (t: Target) => ({
    p50: median(of(t).map((s) => s.p50Ms)),
    rps: median(of(t).map((s) => s.perSecond)),
  });
  const [slipway, direct, reference] = targets as [Target, Target, Target | undefined];
  const d = med(direct);
  const bytes = of(direct)[0]?.bytes ?? 0;
  const size = bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
  const rows: string[][] = [
    [
      'target',
      'p50 latency',
      'throughput',
      'p50 added vs direct',
      'throughput vs direct',
      'Slipway vs HAProxy',
    ],
  ];
  for (const t of [direct, ...(reference ? [reference] : []), slipway]) {
    const m = med(t);
    const vsDirect = t === direct ? ['—', '—'] : [added(m.p50, d.p50), (m.rps / d.rps).toFixed(2)];
    let vsRef = '—';
    if (t === slipway && reference) {
      const r = med(reference);
      vsRef = `p50 ${added(m.p50, r.p50)}, throughput ${(m.rps / r.rps).toFixed(2)}`;
    }
    rows.push([t.name, ms(m.p50), perSecond(m.rps), ...vsDirect, vsRef]);
  }
  // Without a reference proxy the last column would be empty.
  if (!reference) for (const r of rows) r.pop();
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(`\n${path} (${size} per answer)\n`);
  console.log(line(rows[0] ?? []));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows.slice(1)) console.log(line(r));
  const s = med(slipway);
  console.log(
    `\nissue #13 targets, Slipway vs direct: p50 added ${added(s.p50, d.p50)} (≤ 1 ms: ${s.p50 - d.p50 <= 1 ? 'met' : 'not met'}), ` +
      `throughput ratio ${(s.rps / d.rps).toFixed(2)} (≥ 0.8: ${s.rps / d.rps >= 0.8 ? 'met' : 'not met'})`,
  );
  for (const t of targets) {
    const raw = of(t);
    console.log(
      `raw ${t.name}: p50 ms ${raw.map((r) => r.p50Ms.toFixed(3)).join(', ')} · req/s ${raw.map((r) => Math.round(r.perSecond)).join(', ')}`,
    );
  }
}

async function main(): Promise<void> {
  const docker = new Dockerode();
  const image = await ensureTrafficAppImage(docker);
  const target = new DockerTarget({ docker, listenHost: '127.0.0.1', settleMs: 500 });
  const ref = { project: `bench${randomUUID().slice(0, 6)}`, app: 'proxy', env: 'prod' };
  const port = await freePort();
  let haproxy: ReferenceProxy | null = null;
  try {
    const outcome = await target.deploy(
      {
        ...ref,
        releaseId: randomUUID(),
        image,
        replicas: 1,
        ports: [{ published: port, target: TRAFFIC_APP_PORT }],
        variables: { SLIPWAY_RELEASE: '1' },
        healthcheck: {
          kind: 'http',
          path: '/health',
          port: TRAFFIC_APP_PORT,
          intervalMs: 500,
          timeoutMs: 5_000,
          retries: 5,
          startPeriodMs: 1_000,
        },
        resources: { cpus: null, memoryMb: null },
        update: { order: 'start-first', parallelism: 1, failureAction: 'rollback', delayMs: 0 },
        labels: {},
        protocol: 'http',
      },
      () => {},
      new AbortController().signal,
    );
    if (outcome.result !== 'succeeded') throw new Error(`deploy: ${JSON.stringify(outcome)}`);
    const [container] = await docker.listContainers({
      filters: { label: [`io.slipway.deploy.project=${ref.project}`] },
    });
    const info = await docker.getContainer(container?.Id ?? '').inspect();
    const direct = info.NetworkSettings.Networks[environmentName(ref)]?.IPAddress ?? '';
    if (!direct) throw new Error(`no address on network ${environmentName(ref)}`);
    const upstream = { host: direct, port: TRAFFIC_APP_PORT };
    const wanted = process.env.SLIPWAY_BENCH_HAPROXY;
    const binary = await findHaproxy(wanted, haproxySearchPath(process.env.PATH ?? ''));
    if (binary) haproxy = await startHaproxy(binary, upstream, '/health');
    else if (wanted === 'off') console.log('SLIPWAY_BENCH_HAPROXY=off: no reference proxy row');
    else console.log('haproxy is not installed (PATH, /usr/sbin, /usr/local/sbin): no reference proxy row');
    const targets: Target[] = [
      { name: 'Slipway proxy', host: '127.0.0.1', port },
      { name: 'direct', ...upstream },
      ...(haproxy ? [{ name: haproxy.label, host: haproxy.host, port: haproxy.port }] : []),
    ];
    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of ENDPOINTS) {
        for (const t of targets) {
          const key = `${path} ${t.name}`;
          samples.set(key, [...(samples.get(key) ?? []), await measure(t, path)]);
        }
      }
    }
    console.log(
      `rounds: ${ROUNDS} (interleaved ${targets.map((t) => t.name).join(', ')}), ${LATENCY_REQUESTS} sequential requests, ${CONCURRENCY} clients × ${THROUGHPUT_MS} ms`,
    );
    for (const path of ENDPOINTS) report(path, targets, samples);
  } finally {
    await haproxy?.stop();
    await target.remove(ref);
    await target.close();
  }
}

await main();
