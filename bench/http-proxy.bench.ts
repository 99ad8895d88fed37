/**
 * The HTTP-aware proxy (issue #13) against direct access to the same container, same run:
 * a real docker-target deploy of the Node test app, then interleaved rounds (proxy, direct,
 * proxy, direct…) of
 *   - latency: sequential keep-alive GETs, the round's p50;
 *   - throughput: CONCURRENCY keep-alive clients for THROUGHPUT_MS, requests per second.
 * The load runs in a child process so it does not share the proxy's event loop (the proxy
 * lives in the agent's process in production, the clients elsewhere). Medians of the rounds.
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
import { median } from './stats.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const LATENCY_REQUESTS = Number(process.env.LATENCY_REQUESTS ?? 400);
const THROUGHPUT_MS = Number(process.env.THROUGHPUT_MS ?? 2_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);

/** The client, run in a child process: prints {p50Ms, perSecond}. */
const CLIENT = `
const http = require('node:http');
const [host, port, n, ms, conc] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(conc) });
const get = () => new Promise((resolve, reject) => {
  const req = http.request({ host, port: Number(port), path: '/work', agent }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject); req.end();
});
(async () => {
  for (let i = 0; i < 50; i++) await get();
  const lat = [];
  for (let i = 0; i < Number(n); i++) { const t = process.hrtime.bigint(); await get(); lat.push(Number(process.hrtime.bigint() - t) / 1e6); }
  lat.sort((a, b) => a - b);
  let count = 0; const end = Date.now() + Number(ms);
  await Promise.all(Array.from({ length: Number(conc) }, async () => { while (Date.now() < end) { await get(); count++; } }));
  console.log(JSON.stringify({ p50Ms: lat[Math.floor(lat.length / 2)], perSecond: count / (Number(ms) / 1000) }));
  agent.destroy();
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function measure(host: string, port: number): Promise<{ p50Ms: number; perSecond: number }> {
  const { stdout } = await run(process.execPath, [
    '-e',
    CLIENT,
    host,
    String(port),
    String(LATENCY_REQUESTS),
    String(THROUGHPUT_MS),
    String(CONCURRENCY),
  ]);
  return JSON.parse(stdout) as { p50Ms: number; perSecond: number };
}

async function main(): Promise<void> {
  const docker = new Dockerode();
  const image = await ensureTrafficAppImage(docker);
  const target = new DockerTarget({ docker, listenHost: '127.0.0.1', settleMs: 500 });
  const ref = { project: `bench${randomUUID().slice(0, 6)}`, app: 'proxy', env: 'prod' };
  const port = await freePort();
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
    const proxied: { p50Ms: number; perSecond: number }[] = [];
    const bare: { p50Ms: number; perSecond: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      proxied.push(await measure('127.0.0.1', port));
      bare.push(await measure(direct, TRAFFIC_APP_PORT));
    }
    const p50Proxy = median(proxied.map((r) => r.p50Ms));
    const p50Direct = median(bare.map((r) => r.p50Ms));
    const rpsProxy = median(proxied.map((r) => r.perSecond));
    const rpsDirect = median(bare.map((r) => r.perSecond));
    console.log(
      `rounds: ${ROUNDS}, ${LATENCY_REQUESTS} sequential requests, ${CONCURRENCY} clients × ${THROUGHPUT_MS} ms`,
    );
    console.log(
      `p50 latency: proxy ${p50Proxy.toFixed(3)} ms, direct ${p50Direct.toFixed(3)} ms, added ${(p50Proxy - p50Direct).toFixed(3)} ms (target ≤ 1 ms)`,
    );
    console.log(
      `throughput: proxy ${rpsProxy.toFixed(0)}/s, direct ${rpsDirect.toFixed(0)}/s, ratio ${(rpsProxy / rpsDirect).toFixed(3)} (target ≥ 0.8)`,
    );
    console.log(`raw proxy: ${JSON.stringify(proxied)}`);
    console.log(`raw direct: ${JSON.stringify(bare)}`);
  } finally {
    await target.remove(ref);
    await target.close();
  }
}

await main();
