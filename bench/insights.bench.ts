/**
 * Delivery insights at size: a project with 10,000 runs (4 jobs each, one commit each, in a real
 * git repository made with fast-import) over a year and 2,000 production releases (rollbacks,
 * hotfixes, health-gate rollbacks among them), seeded straight into a temp database. Measured:
 *   - catch-up: computing every release's facts and first-shipped commits from nothing (what a
 *     server does at first start after migration 018 — the backfill);
 *   - API: GET /api/insights/summary for 30 days and for the whole year, interleaved with a bare
 *     baseline route (GET /api/me) in the same rounds; medians and the ratio;
 *   - page: navigation → the key numbers and the value-stream chart drawn, in Chromium, fresh
 *     context per round (cold cache).
 * Targets: API p50 ≤ 50 ms, page interactive ≤ 1.5 s.
 * `npx tsx bench/insights.bench.ts` (RUNS=N, ROUNDS=N to change the sizes). No assertions.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hashPassword } from '../src/server/auth/passwords.js';
import { catchUpInsights } from '../src/server/insights/insights-follow-up.js';
import type { JobRow, ReleaseRow, RunRow } from '../src/server/store/tables.js';
import { launchChromium, newContext } from '../test/support/browser.js';
import { jobRow, projectRow, runRow } from '../test/support/rows.js';
import { startTestServer } from '../test/support/server.js';
import { ensureWebBuilt } from '../test/support/web-build.js';
import { seedRuns } from './seed-runs.js';
import { fmtMs, median } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const API_ROUNDS = Number(process.env.API_ROUNDS ?? 60);
const PASSWORD = 'bench-password-123';
const YEAR = 365 * 86_400_000;
const now = Date.now();
const step = Math.floor((YEAR - 86_400_000) / RUNS);
const start = now - YEAR + 3_600_000;

await ensureWebBuilt();
const { dir: repoDir, shas } = makeRepository(RUNS);
const t = await startTestServer();
const browser = await launchChromium();
try {
  const { db } = t.server.ctx;
  const project = projectRow({ name: 'bench', created_at: start });
  await db.insertInto('projects').values(project).execute();
  const runIds: string[] = [];
  await seedRuns(db, project.id, RUNS, {
    run: (projectId, number) => {
      const run = benchRun(projectId, number);
      runIds[number] = run.id;
      return run;
    },
    jobs: benchJobs,
  });
  const releases = await seedReleases(project.id, runIds);
  const catchStart = performance.now();
  const computed = await catchUpInsights({
    db,
    gitDir: () => repoDir,
    log: { warn: () => {}, info: () => {} },
  });
  const catchUpMs = performance.now() - catchStart;
  process.stderr.write(
    `seeded ${RUNS} runs, ${releases} releases; catch-up of ${computed} in ${fmtMs(catchUpMs)}\n`,
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
  for (let round = 0; round <= API_ROUNDS; round++) {
    const b = await timed('/api/me');
    const m = await timed('/api/insights/summary?project=bench&since=30d');
    const y = await timed('/api/insights/summary?project=bench&since=365d');
    if (round > 0) {
      base.push(b);
      month.push(m);
      year.push(y);
    }
  }

  const numbers: number[] = [];
  const interactive: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const context = await newContext(browser);
    await context.addCookies([{ name, value, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/projects/bench/insights`, { waitUntil: 'commit' });
    const numbersAt = await page
      .waitForFunction(
        () => document.querySelector('[data-testid=insights-failures] .insights-band') && performance.now(),
        null,
        { polling: 'raf', timeout: 60_000 },
      )
      .then((h) => h.jsonValue() as Promise<number>);
    const at = await page
      .waitForFunction(
        () =>
          document.querySelector('[data-testid=insights-failures] .insights-band') &&
          document.querySelector('[data-testid=insights-value-stream] svg path') &&
          performance.now(),
        null,
        { polling: 'raf', timeout: 60_000 },
      )
      .then((h) => h.jsonValue() as Promise<number>);
    if (round > 0) {
      numbers.push(numbersAt);
      interactive.push(at);
    }
    await context.close();
  }

  const ratio = (x: number[]) => `${(median(x) / median(base)).toFixed(1)}×`;
  process.stdout.write(
    `### Delivery insights — ${RUNS.toLocaleString('en')} runs, ${releases.toLocaleString('en')} production releases, SQLite\n\n` +
      '| measure | median | max | vs GET /api/me | target |\n|---|---|---|---|---|\n' +
      `| GET /api/me (baseline) | ${fmtMs(median(base))} | ${fmtMs(Math.max(...base))} | 1× | |\n` +
      `| GET /api/insights/summary, 30 days | ${fmtMs(median(month))} | ${fmtMs(Math.max(...month))} | ${ratio(month)} | ≤ 50 ms |\n` +
      `| GET /api/insights/summary, 365 days (all ${releases} releases) | ${fmtMs(median(year))} | ${fmtMs(Math.max(...year))} | ${ratio(year)} | ≤ 50 ms |\n` +
      `| Insights page: navigation → key numbers with bands shown (chromium, cold) | ${fmtMs(median(numbers))} | ${fmtMs(Math.max(...numbers))} | | |\n` +
      `| Insights page: navigation → charts drawn too (interactive) | ${fmtMs(median(interactive))} | ${fmtMs(Math.max(...interactive))} | | ≤ 1.5 s |\n` +
      `| catch-up (backfill) of ${computed} releases: facts + git commits | ${fmtMs(catchUpMs)} | | | |\n`,
  );

  async function seedReleases(projectId: string, ids: string[]): Promise<number> {
    const app = { id: 'bench-app', project_id: projectId, name: 'api', created_at: start };
    await db.insertInto('applications').values(app).execute();
    await db
      .insertInto('environments')
      .values({
        id: 'bench-prod',
        application_id: app.id,
        name: 'production',
        position: 0,
        target: 'docker',
        config: '{}',
        requires_approval: 0,
        auto_release: null,
        config_version: 1,
        created_at: start,
        updated_at: start,
        production: 1,
      })
      .execute();
    const rows: ReleaseRow[] = [];
    let number = 0;
    let lastGood: string | null = null;
    for (let run = 5; run <= RUNS; run += 5) {
      number++;
      const created = start + run * step + 20 * 60_000;
      const kind = number % 50 === 0 ? 'auto_rollback' : number % 37 === 0 ? 'rollback' : 'deploy';
      const id = `bench-release-${number}`;
      rows.push({
        id,
        application_id: app.id,
        environment_id: 'bench-prod',
        number,
        image: `reg.local/api:${number}`,
        digest: `sha256:${String(number).padStart(64, '0')}`,
        config: '{}',
        config_version: 1,
        replicas: 1,
        source_run_id: kind === 'rollback' ? null : (ids[run] ?? null),
        source_sha: kind === 'rollback' ? null : (shas[run - 1] ?? null),
        release_run_id: null,
        release_job: null,
        trigger: kind === 'rollback' ? 'rollback' : 'manual',
        actor: 'bench',
        status: kind === 'auto_rollback' ? 'rolled_back' : 'succeeded',
        reason: kind === 'auto_rollback' ? 'unhealthy' : null,
        created_at: created,
        started_at: created,
        finished_at: created + 3 * 60_000,
        rollback_of: kind === 'rollback' ? lastGood : null,
        promoted_from: null,
      });
      if (kind === 'deploy') lastGood = id;
    }
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('releases')
        .values(rows.slice(i, i + 200))
        .execute();
    return rows.length;
  }
} finally {
  await browser.close();
  await t.close();
  rmSync(repoDir, { recursive: true, force: true });
}

/** A repository of `n` commits on main, one a run, made with fast-import; their shas, oldest first. */
function makeRepository(n: number): { dir: string; shas: string[] } {
  const repoDir = mkdtempSync(join(tmpdir(), 'slipway-insights-bench-'));
  execFileSync('git', ['init', '-q', '--bare', repoDir]);
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    const at = Math.floor((start + i * step - 40 * 60_000) / 1000);
    const text = `change ${i}\n`;
    lines.push(
      'commit refs/heads/main',
      `mark :${i}`,
      `author Bench <bench@example.com> ${at} +0000`,
      `committer Bench <bench@example.com> ${at} +0000`,
      `data ${Buffer.byteLength(`c${i}`)}`,
      `c${i}`,
      ...(i > 1 ? [`from :${i - 1}`] : []),
      `M 644 inline file.txt`,
      `data ${Buffer.byteLength(text)}`,
      text.slice(0, -1),
      '',
    );
  }
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: repoDir,
    env: { ...process.env, GIT_DIR: repoDir },
    input: `${lines.join('\n')}\n`,
  });
  const shas = execFileSync('git', ['rev-list', '--reverse', 'main'], {
    env: { ...process.env, GIT_DIR: repoDir },
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  return { dir: repoDir, shas };
}

function benchRun(projectId: string, number: number): RunRow {
  const created = start + number * step;
  return runRow({
    project_id: projectId,
    number,
    record: `main-${number}`,
    sha: shas[number - 1] ?? '0'.repeat(40),
    message: `change ${number}`,
    status: 'succeeded',
    created_at: created,
    started_at: created + 30_000,
    finished_at: created + 10 * 60_000,
  });
}

function benchJobs(run: RunRow): JobRow[] {
  return ['compile', 'unit', 'lint', 'ship'].map((name, i) =>
    jobRow({
      run_id: run.id,
      name,
      stage: i === 0 ? 'build' : i === 3 ? 'package' : 'test',
      stage_index: i === 0 ? 0 : i === 3 ? 2 : 1,
      job_index: i,
      status: 'succeeded',
      started_at: (run.started_at ?? 0) + i * 60_000,
      finished_at: (run.started_at ?? 0) + (i + 2) * 60_000,
    }),
  );
}
