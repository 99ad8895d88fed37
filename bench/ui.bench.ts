/**
 * The web UI in a real browser (Debian chromium): a project with 10k runs (4 jobs each) seeded
 * straight into a temp database, then the records page opened in a fresh browser context each
 * round (cold cache) and timed from navigation start to
 *   - first row: the first record row is in the DOM;
 *   - interactive: the status filter was changed and the table shows the filtered runs (the app
 *     is hydrated, handles input, and fetched and rendered the filtered page).
 * Also the initial JS that index.html loads eagerly (entry + modulepreloads), gzipped, and a
 * 100k-line log (coloured step lines every 100 lines): navigation → its last line shown via #L.
 * Targets: interactive ≤ 1 s, initial JS ≤ 250 KB gzip.
 * `npx tsx bench/ui.bench.ts` (RUNS=N, ROUNDS=N to change the sizes). No assertions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { hashPassword } from '../src/server/auth/passwords.js';
import type { JobRow, RunRow } from '../src/server/store/tables.js';
import { launchChromium, newContext } from '../test/support/browser.js';
import { jobRow, projectRow, runRow } from '../test/support/rows.js';
import { startTestServer } from '../test/support/server.js';
import { ensureWebBuilt, WEB_INDEX } from '../test/support/web-build.js';
import { seedRuns } from './seed-runs.js';
import { fmtMs, median } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'failed', 'canceled', 'running'];
const PASSWORD = 'bench-password-123';
const LOG_LINES = Number(process.env.LOG_LINES ?? 100_000);

await ensureWebBuilt();
const js = initialJs();
const t = await startTestServer();
const browser = await launchChromium();
try {
  const { db } = t.server.ctx;
  const project = projectRow({ name: 'bench', created_at: Date.now() });
  await db.insertInto('projects').values(project).execute();
  const loadStart = performance.now();
  await seedRuns(db, project.id, RUNS, { run: benchRun, jobs: benchJobs });
  const logRun = await db
    .selectFrom('runs')
    .select('id')
    .where('project_id', '=', project.id)
    .where('number', '=', RUNS)
    .executeTakeFirstOrThrow();
  for (let from = 1; from <= LOG_LINES; from += 4000) {
    const lines = [];
    for (let n = from; n < Math.min(from + 4000, LOG_LINES + 1); n++)
      lines.push({
        n,
        t: 1_700_000_000_000 + n,
        stream: 'stdout' as const,
        text:
          n % 100 === 1
            ? `\u001b[32;1m$ make step-${n}\u001b[0m`
            : `line ${n}: \u001b[33mwarning\u001b[0m nothing to see`,
      });
    await t.server.ctx.logs.append(logRun.id, 'compile', lines);
  }
  process.stderr.write(`loaded ${RUNS} runs in ${fmtMs(performance.now() - loadStart)}\n`);

  // A user with a password, signed in once over HTTP; each round's fresh context gets the cookie.
  await db
    .insertInto('users')
    .values({
      id: 'bench-user',
      username: 'bench',
      password_hash: await hashPassword(PASSWORD),
      role: 'admin',
      created_at: Date.now(),
    })
    .execute();
  const login = await fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const [name, value] = ((login.headers.get('set-cookie') ?? '').split(';')[0] ?? '').split('=') as [
    string,
    string,
  ];

  const firstRow: number[] = [];
  const interactive: number[] = [];
  // Round 0 is a warm-up (server JIT, SQLite page cache), not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    const context = await newContext(browser);
    await context.addCookies([{ name, value, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/projects/bench`, { waitUntil: 'commit' });
    // performance.now() in the page counts from its navigation start.
    const rowAt = await page
      .waitForFunction(
        () => document.querySelector('tr[data-testid=record-row]') && performance.now(),
        null,
        {
          polling: 'raf',
        },
      )
      .then((h) => h.jsonValue() as Promise<number>);
    await page.selectOption('[data-testid=filter-status]', 'failed');
    const filteredAt = await page
      .waitForFunction(
        () => {
          const rows = [...document.querySelectorAll('tr[data-testid=record-row]')];
          return (
            rows.length > 0 &&
            rows.every((r) => r.getAttribute('data-status') === 'failed') &&
            performance.now()
          );
        },
        null,
        { polling: 'raf' },
      )
      .then((h) => h.jsonValue() as Promise<number>);
    if (round > 0) {
      firstRow.push(rowAt);
      interactive.push(filteredAt);
    }
    await context.close();
  }

  const logShown: number[] = [];
  for (let round = 0; round <= Math.min(ROUNDS, 5); round++) {
    const context = await newContext(browser);
    await context.addCookies([{ name, value, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/projects/bench/runs/${RUNS}?job=compile#L${LOG_LINES}`, {
      waitUntil: 'commit',
    });
    const shownAt = await page
      .waitForFunction((n) => document.querySelector(`#L${n}.log-selected`) && performance.now(), LOG_LINES, {
        polling: 'raf',
        timeout: 60_000,
      })
      .then((h) => h.jsonValue() as Promise<number>);
    if (round > 0) logShown.push(shownAt);
    await context.close();
  }

  process.stdout.write(
    `### Web UI — records page of ${RUNS.toLocaleString('en')} runs, chromium, cold cache, median of ${ROUNDS}\n\n` +
      '| measure | median | max | target |\n|---|---|---|---|\n' +
      `| navigation → first record row | ${fmtMs(median(firstRow))} | ${fmtMs(Math.max(...firstRow))} | |\n` +
      `| navigation → status filter applied | ${fmtMs(median(interactive))} | ${fmtMs(Math.max(...interactive))} | ≤ 1 s |\n` +
      `| ${LOG_LINES.toLocaleString('en')}-line log: navigation → #L${LOG_LINES} shown | ${fmtMs(median(logShown))} | ${fmtMs(Math.max(...logShown))} | |\n` +
      `| initial JS (${js.files} files, gzip) | ${(js.gzipBytes / 1024).toFixed(1)} KB | raw ${(js.rawBytes / 1024).toFixed(1)} KB | ≤ 250 KB |\n`,
  );
} finally {
  await browser.close();
  await t.close();
}

/** The JS index.html loads before anything runs: its module script and its modulepreloads. */
function initialJs(): { files: number; rawBytes: number; gzipBytes: number } {
  const html = readFileSync(WEB_INDEX, 'utf8');
  const srcs = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => m[1] as string);
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const src of new Set(srcs)) {
    const body = readFileSync(join(WEB_INDEX, '..', src.replace(/^\//, '')));
    rawBytes += body.length;
    gzipBytes += gzipSync(body).length;
  }
  return { files: new Set(srcs).size, rawBytes, gzipBytes };
}

function benchRun(projectId: string, number: number): RunRow {
  const sha = number.toString(16).padStart(40, '0');
  const created = 1_700_000_000_000 + number * 60_000;
  const status = STATUSES[number % STATUSES.length] as string;
  return runRow({
    project_id: projectId,
    number,
    record: `main-${sha.slice(0, 7)}`,
    sha,
    message: `change ${number}`,
    commit_time: created - 30_000,
    status,
    created_at: created,
    started_at: created + 1000,
    finished_at: status === 'running' ? null : created + 300_000,
  });
}

function benchJobs(run: RunRow): JobRow[] {
  return ['compile', 'unit', 'lint', 'ship'].map((name, i) =>
    jobRow({
      run_id: run.id,
      name,
      stage: i === 0 ? 'build' : i === 3 ? 'deploy' : 'test',
      stage_index: i === 0 ? 0 : i === 3 ? 2 : 1,
      job_index: i,
      status: run.status === 'running' && i > 0 ? 'pending' : 'succeeded',
    }),
  );
}
