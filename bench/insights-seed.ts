/**
 * The history behind the insights bench (bench/insights.bench.ts), seeded straight into a
 * database: a project with `runs` runs (4 jobs each, one commit each in a real git repository
 * made with fast-import) over a year, and a production release every 5th run (manual rollbacks
 * and health-gate rollbacks among them). Facts and commits are not computed here: the bench
 * times that (migration 027's backfill and the commits catch-up).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database, JobRow, ReleaseRow, RunRow } from '../src/server/store/tables.js';
import { environmentRow, jobRow, projectRow, runRow } from '../test/support/rows.js';
import { seedRuns } from './seed-runs.js';

const YEAR = 365 * 86_400_000;

export interface InsightsHistory {
  projectId: string;
  repoDir: string;
  releases: number;
}

/** Seeds the project `bench` with `RUNS` runs ending at `now` and its releases; returns the git directory. */
export async function seedInsightsHistory(
  db: Kysely<Database>,
  RUNS: number,
  now: number,
): Promise<InsightsHistory> {
  const step = Math.floor((YEAR - 86_400_000) / RUNS);
  const start = now - YEAR + 3_600_000;
  const { dir: repoDir, shas } = makeRepository(RUNS);
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
  return { projectId: project.id, repoDir, releases };

  async function seedReleases(projectId: string, ids: string[]): Promise<number> {
    const app = { id: 'bench-app', project_id: projectId, name: 'api', created_at: start };
    await db.insertInto('applications').values(app).execute();
    await db
      .insertInto('environments')
      .values(
        environmentRow(
          { id: 'bench-prod', application_id: app.id, name: 'production', production: 1 },
          start,
        ),
      )
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
}
