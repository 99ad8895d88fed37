/**
 * The execution records page with a long history: 100k runs (4 jobs each) of one project in a
 * temp database, then the first page (30 runs, the default) through the real HTTP route,
 * timed end to end from this process. Also the filtered and deep-page variants, to show the
 * keyset pages cost the same anywhere. Target: first page median ≤ 20 ms.
 * `npx tsx bench/records-page.bench.ts` (RUNS=N, ROUNDS=N to change the sizes). No assertions.
 */
import { performance } from 'node:perf_hooks';
import type { JobRow, RunRow } from '../src/server/store/tables.js';
import { insertProject } from '../test/runs/fixtures.js';
import { jobRow, runRow } from '../test/support/rows.js';
import { startTestServer } from '../test/support/server.js';
import { seedRuns } from './seed-runs.js';
import { fmtMs, median } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 50);
const BRANCHES = ['main', 'develop', 'feature/login', 'feature/cart', 'release/2.0', 'hotfix/x'];
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'failed', 'canceled', 'skipped'];
const STAGES = [
  ['build', 'compile'],
  ['test', 'unit'],
  ['test', 'lint'],
  ['deploy', 'ship'],
] as const;

const t = await startTestServer();
try {
  const { db } = t.server.ctx;
  const projectId = (await insertProject(t, 'bench')).id;

  const loadStart = performance.now();
  await seedRuns(db, projectId, RUNS, { run: benchRun, jobs: benchJobs });
  process.stderr.write(`loaded ${RUNS} runs in ${fmtMs(performance.now() - loadStart)}\n`);

  const cases: [string, string][] = [
    ['first page (30)', ''],
    ['first page, branch filter', '?branch=feature%2Fcart'],
    ['first page, status filter', '?status=failed'],
    ['first page, trigger filter (rare)', '?trigger=cron'],
    ['deep page (before=50000)', `?before=${Math.floor(RUNS / 2)}`],
    ['100 runs', '?limit=100'],
  ];
  // Warm-up: the first requests of a process pay for JIT, page cache and connection setup.
  for (let i = 0; i < 20; i++) {
    for (const [, query] of cases) await (await t.api(`/api/projects/bench/runs${query}`)).arrayBuffer();
  }
  const rows: string[] = [];
  for (const [name, query] of cases) {
    const path = `/api/projects/bench/runs${query}`;
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const res = await t.api(path);
      const body = (await res.json()) as { runs: unknown[] };
      times.push(performance.now() - t0);
      if (res.status !== 200 || body.runs.length === 0) throw new Error(`${path}: ${res.status}`);
    }
    rows.push(`| ${name} | ${median(times).toFixed(2)} ms | ${Math.max(...times).toFixed(2)} ms |`);
  }
  process.stdout.write(
    `### Records page — ${RUNS.toLocaleString('en')} runs × 4 jobs, ${ROUNDS} requests each, through HTTP\n\n` +
      `| query | median | max |\n|---|---|---|\n${rows.join('\n')}\n\ntarget: first page median ≤ 20 ms\n`,
  );
} finally {
  await t.close();
}

function benchRun(projectId: string, number: number): RunRow {
  const sha = number.toString(16).padStart(40, '0');
  const branch = BRANCHES[number % BRANCHES.length] as string;
  const created = 1_700_000_000_000 + number * 60_000;
  return runRow({
    project_id: projectId,
    number,
    record: `${branch.replaceAll('/', '-')}-${sha.slice(0, 7)}`,
    // One run in a thousand is a cron run: the rare filter that needs its own index.
    trigger: number % 1000 === 0 ? 'cron' : 'push',
    ref_name: branch,
    sha,
    message: `change ${number}`,
    commit_time: created - 30_000,
    status: STATUSES[number % STATUSES.length] as string,
    created_at: created,
    started_at: created + 1000,
    finished_at: created + 300_000,
  });
}

function benchJobs(run: RunRow): JobRow[] {
  return STAGES.map(([stage, name], i) =>
    jobRow({
      run_id: run.id,
      name,
      stage,
      stage_index: stage === 'build' ? 0 : stage === 'test' ? 1 : 2,
      job_index: i,
      status: name === 'ship' ? 'manual' : 'succeeded',
      allow_failure: name === 'lint' || name === 'ship' ? 1 : 0,
      manual: name === 'ship' ? 1 : 0,
      exit_code: 0,
      started_at: run.started_at,
      finished_at: run.finished_at,
    }),
  );
}
