/**
 * Delivery insights at size: a project with 10,000 runs (4 jobs each, one commit each, in a real
 * git repository made with fast-import) over a year and 2,000 production releases (rollbacks,
 * hotfixes, health-gate rollbacks among them), seeded straight into a temp database. Measured:
 *   - backfill: the facts of every release (what migration 027 does on an upgraded installation,
 *     no git), then the commits each release shipped first (the catch-up at the first start,
 *     one git graph per environment); seeding is in insights-seed.ts;
 *   - API: GET /api/insights/summary for 30 days and for the whole year, interleaved with a bare
 *     baseline route (GET /api/me) in the same rounds; medians and the ratio;
 *   - page: navigation → the key numbers and the value-stream chart drawn, in Chromium, fresh
 *     context per round (cold cache).
 * Targets: API p50 ≤ 50 ms, page interactive ≤ 1.5 s.
 * `npx tsx bench/insights.bench.ts` (RUNS=N, ROUNDS=N to change the sizes; COMPARE_DIST=dir to
 * load another build of the UI in the same rounds, see insights-page.ts). No assertions.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hashPassword } from '../src/server/auth/passwords.js';
import { backfillReleaseFacts } from '../src/server/insights/backfill-facts.js';
import { catchUpInsights } from '../src/server/insights/insights-follow-up.js';
import { launchChromium } from '../test/support/browser.js';
import { startTestServer } from '../test/support/server.js';
import { ensureWebBuilt, WEB_INDEX } from '../test/support/web-build.js';
import { loadInsightsPage } from './insights-page.js';
import { seedInsightsHistory } from './insights-seed.js';
import { fmtMs, median } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const API_ROUNDS = Number(process.env.API_ROUNDS ?? 60);
/** Another build of the UI (a web/dist directory) to load in the same rounds, for before/after. */
const COMPARE_DIST = process.env.COMPARE_DIST;
const WEB_DIST = dirname(WEB_INDEX);
const PASSWORD = 'bench-password-123';
const now = Date.now();

await ensureWebBuilt();
const t = await startTestServer();
const browser = await launchChromium();
let repoDir = '';
try {
  const { db } = t.server.ctx;
  const history = await seedInsightsHistory(db, RUNS, now);
  repoDir = history.repoDir;
  const releases = history.releases;
  // What migration 027 does on an upgraded installation: facts of the whole history, no git.
  const factsStart = performance.now();
  const factCount = (await backfillReleaseFacts(db)).length;
  const factsMs = performance.now() - factsStart;
  // Then the first start: the commits each release shipped first (git), one pass per environment.
  const catchStart = performance.now();
  const computed = await catchUpInsights({
    db,
    gitDir: () => repoDir,
    log: { warn: () => {}, info: () => {} },
  });
  const catchUpMs = performance.now() - catchStart;
  process.stderr.write(
    `seeded ${RUNS} runs, ${releases} releases; facts of ${factCount} in ${fmtMs(factsMs)}, commits of ${computed} in ${fmtMs(catchUpMs)}\n`,
  );

  await db
    .insertInto('users')
    .values({
      id: 'bench-user',
      username: 'bench',
      password_hash: await hashPassword(PASSWORD),
      role: 'admin',
      created_at: now,
    })
    .execute();
  const login = await fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: PASSWORD }),
  });
  const [name, value] = ((login.headers.get('set-cookie') ?? '').split(';')[0] ?? '').split('=') as [
    string,
    string,
  ];

  // API: interleaved rounds of the baseline and both ranges (round 0 warms up).
  const timed = async (path: string) => {
    const at = performance.now();
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return performance.now() - at;
  };
  const base: number[] = [];
  const month: number[] = [];
  const year: number[] = [];
  const yearCold: number[] = [];
  for (let round = 0; round <= API_ROUNDS; round++) {
    const b = await timed('/api/me');
    const m = await timed('/api/insights/summary?project=bench&since=30d');
    const y = await timed('/api/insights/summary?project=bench&since=365d');
    // As after a release ended: the facts cache of the environment is empty again.
    t.server.ctx.insightsCache?.invalidate();
    const yc = await timed('/api/insights/summary?project=bench&since=365d');
    if (round > 0) {
      base.push(b);
      month.push(m);
      year.push(y);
      yearCold.push(yc);
    }
  }

  // The page, cold, per round. With COMPARE_DIST (another build of the UI, e.g. before a
  // change) both builds are loaded in every round, in alternating order, from their directories.
  const variants: [string, string | undefined][] = COMPARE_DIST
    ? [
        ['before (COMPARE_DIST)', COMPARE_DIST],
        ['after (web/dist)', WEB_DIST],
      ]
    : [['', undefined]];
  const numbers = new Map<string, number[]>(variants.map(([v]) => [v, []]));
  const interactive = new Map<string, number[]>(variants.map(([v]) => [v, []]));
  /** Where the page's time goes: per variant and resource, when it started and ended. */
  const breakdown = new Map<string, number[]>();
  for (let round = 0; round <= ROUNDS; round++) {
    const order = round % 2 ? [...variants].reverse() : variants;
    for (const [variant, dist] of order) {
      const load = await loadInsightsPage(browser, t.url, { name, value }, dist);
      if (round === 0) continue;
      numbers.get(variant)?.push(load.numbersAt);
      interactive.get(variant)?.push(load.chartsAt);
      for (const [key, ms] of Object.entries(load.timings)) {
        const k = variant ? `${variant} ${key}` : key;
        breakdown.set(k, [...(breakdown.get(k) ?? []), ms]);
      }
    }
  }
  const pageRows = variants
    .map(([v]) => {
      const n = numbers.get(v) ?? [];
      const c = interactive.get(v) ?? [];
      const label = v ? ` — ${v}` : '';
      return (
        `| Insights page${label}: navigation → key numbers with bands shown (chromium, cold) | ${fmtMs(median(n))} | ${fmtMs(Math.max(...n))} | | |\n` +
        `| Insights page${label}: navigation → charts drawn too (interactive) | ${fmtMs(median(c))} | ${fmtMs(Math.max(...c))} | | ≤ 1.5 s |\n`
      );
    })
    .join('');

  const load = (await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const ratio = (x: number[]) => `${(median(x) / median(base)).toFixed(1)}×`;
  process.stdout.write(
    `### Delivery insights — ${RUNS.toLocaleString('en')} runs, ${releases.toLocaleString('en')} production releases, SQLite\n\n` +
      `load average at the end: ${load}\n\n` +
      '| measure | median | max | vs GET /api/me | target |\n|---|---|---|---|---|\n' +
      `| GET /api/me (baseline) | ${fmtMs(median(base))} | ${fmtMs(Math.max(...base))} | 1× | |\n` +
      `| GET /api/insights/summary, 30 days | ${fmtMs(median(month))} | ${fmtMs(Math.max(...month))} | ${ratio(month)} | ≤ 50 ms |\n` +
      `| GET /api/insights/summary, 365 days (all ${releases} releases) | ${fmtMs(median(year))} | ${fmtMs(Math.max(...year))} | ${ratio(year)} | ≤ 50 ms |\n` +
      `| same, 365 days, facts cache emptied first (as after a release ended) | ${fmtMs(median(yearCold))} | ${fmtMs(Math.max(...yearCold))} | ${ratio(yearCold)} | |\n` +
      pageRows +
      `| migration 027: facts of ${factCount} releases (no git) | ${fmtMs(factsMs)} | | | |\n` +
      `| first start: commits of ${computed} releases (git, one pass per environment) | ${fmtMs(catchUpMs)} | | | |\n` +
      '\nWhere the page time goes (medians, ms from navigation start; size = encoded bytes):\n\n' +
      '| resource / moment | median |\n|---|---|\n' +
      [...breakdown.entries()].map(([key, values]) => `| ${key} | ${median(values).toFixed(0)} |\n`).join(''),
  );
} finally {
  await browser.close();
  await t.close();
  if (repoDir) rmSync(repoDir, { recursive: true, force: true });
}
