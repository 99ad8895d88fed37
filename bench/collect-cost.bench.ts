/**
 * Companion of bench/collect.bench.ts for a shared, loaded machine: CPU time per event (not
 * wall-clock rate, which depends on what else runs), in one process on SQLite, same run:
 *  - the collect service alone (checks, visitor hash, attribution, write-behind incl. its batches);
 *  - `POST /api/collect` through Fastify (`inject`: routing, body parsing, zod, headers) against
 *    the same server answering `GET /healthz` through `inject` (the bare baseline of a request).
 * 1e6 / (µs per event) is what one free core sustains. `npx tsx bench/collect-cost.bench.ts` (N=…).
 */
import { CollectService } from '../src/server/collect/collect-service.js';
import { startTestServer } from '../test/support/server.js';
import { median } from './stats.js';

const N = Math.max(1000, Number(process.env.N ?? 10_000));
const ORIGIN = 'https://bench.example.com';
const t = await startTestServer({
  SLIPWAY_COLLECT_RATE_PER_ADDRESS: '100000000',
  SLIPWAY_COLLECT_RATE_PER_SITE: '100000000',
});
try {
  const api = async (path: string, method: string, body: unknown) => {
    const res = await t.api(path, { method, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ siteKey: string }>;
  };
  await api('/api/projects', 'POST', { name: 'bench', source: { kind: 'builtin' } });
  await api('/api/projects/bench/applications', 'POST', {
    name: 'web',
    environments: [{ name: 'production' }],
  });
  const site = await api('/api/projects/bench/applications/web/collect-site', 'PUT', {
    origins: [{ origin: ORIGIN, environment: null }],
  });
  const ctx = t.server.ctx;
  const service = new CollectService({
    db: ctx.db,
    now: ctx.now,
    config: ctx.config.collect,
    deliveries: ctx.deliveries,
    log: ctx.log,
  });
  const event = {
    site: site.siteKey,
    kind: 'pageview' as const,
    url: `${ORIGIN}/p?x=1`,
    referrer: 'https://s.example.org/',
  };
  const client = {
    origin: ORIGIN,
    address: '203.0.113.7',
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  };
  const body = JSON.stringify(event);
  const cpuPer = async (n: number, fn: () => Promise<unknown>): Promise<number> => {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / n;
  };
  const serviceOnly = async () => {
    const per = await cpuPer(N, () => service.acceptEvent(event, client));
    const start = process.cpuUsage();
    await service.flush();
    const used = process.cpuUsage(start);
    return per + (used.user + used.system) / N;
  };
  const collectRoute = () =>
    cpuPer(N, () =>
      t.server.app.inject({
        method: 'POST',
        url: '/api/collect',
        payload: body,
        headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': client.userAgent },
      }),
    );
  const healthz = () => cpuPer(N, () => t.server.app.inject({ method: 'GET', url: '/healthz' }));
  await serviceOnly();
  await collectRoute();
  await healthz();
  const s: number[] = [];
  const c: number[] = [];
  const h: number[] = [];
  for (let round = 0; round < 5; round++) {
    s.push(await serviceOnly());
    h.push(await healthz());
    c.push(await collectRoute());
  }
  await service.close();
  const line = (name: string, us: number) =>
    `  ${name.padEnd(44)} ${us.toFixed(1).padStart(7)} µs CPU/event  (≈ ${Math.round(1e6 / us)} /s per free core)`;
  process.stdout.write(
    [
      `collect CPU cost per event (SQLite, medians of 5 interleaved rounds of ${N})`,
      line('collect service (incl. batched writes)', median(s)),
      line('POST /api/collect via inject', median(c)),
      line('baseline: GET /healthz via inject', median(h)),
      `  added by collect over a bare request: ${(median(c) - median(h)).toFixed(1)} µs`,
      '',
    ].join('\n'),
  );
} finally {
  await t.close();
}
