/**
 * A seeded delivery history with known answers for the insights golden tests: a real git
 * repository (commits with fixed author times: trunk-based pushes, a squash-merged feature
 * branch, a hotfix branch) and the runs, jobs, releases and approval event a server would have
 * stored, written directly. The expected numbers are worked out by hand in golden.test.ts.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { recordRelease } from '../../src/server/insights/insights-follow-up.js';
import { weekStart } from '../../src/server/insights/time-math.js';
import type { Database, ReleaseRow } from '../../src/server/store/tables.js';
import { jobRow, projectRow, runRow } from '../support/rows.js';

const exec = promisify(execFile);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** Monday 00:00 UTC of the seeded week. */
export const T0 = weekStart(Date.UTC(2026, 10, 4));

async function git(dir: string, args: string[], at?: number): Promise<string> {
  const date =
    at === undefined
      ? {}
      : { GIT_AUTHOR_DATE: `@${at / 1000} +0000`, GIT_COMMITTER_DATE: `@${at / 1000} +0000` };
  const { stdout } = await exec('git', args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Ada',
      GIT_AUTHOR_EMAIL: 'ada@example.com',
      GIT_COMMITTER_NAME: 'Ada',
      GIT_COMMITTER_EMAIL: 'ada@example.com',
      ...date,
    },
  });
  return stdout.trim();
}

export interface GoldenHistory {
  projectName: string;
  gitDir: string;
  sha: Record<string, string>;
}

/**
 * Seeds the history in the week starting `t0` (a Monday 00:00 UTC; T0 unless given). With
 * `record: false` no insights are computed: the rows an installation had before insights existed.
 */
export async function seedGoldenHistory(
  db: Kysely<Database>,
  t0 = T0,
  opts: { record?: boolean } = {},
): Promise<GoldenHistory> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-insights-golden-'));
  await git(dir, ['init', '-q', '--initial-branch=main']);
  const sha: Record<string, string> = {};
  const commit = async (name: string, hours: number) => {
    await writeFile(join(dir, `${name}.txt`), name);
    await git(dir, ['add', '.']);
    await git(dir, ['commit', '-q', '-m', name], t0 + hours * HOUR);
    sha[name] = await git(dir, ['rev-parse', 'HEAD']);
  };
  await commit('c1', 0);
  await commit('c2', 1);
  await commit('c3', 24);
  await commit('c4', 48);
  // A feature branch squash-merged: f1 and f2 never reach main, the squash commit s1 does.
  await git(dir, ['checkout', '-q', '-b', 'feature/x']);
  await commit('f1', 60);
  await commit('f2', 61);
  await git(dir, ['checkout', '-q', 'main']);
  await git(dir, ['merge', '--squash', '-q', 'feature/x']);
  await git(dir, ['commit', '-q', '-m', 's1'], t0 + 70 * HOUR);
  sha.s1 = await git(dir, ['rev-parse', 'HEAD']);
  await commit('c5', 80);
  await git(dir, ['checkout', '-q', '-b', 'hotfix/1']);
  await commit('h1', 82);
  await git(dir, ['checkout', '-q', 'main']);
  await commit('c6', 90);

  const project = projectRow({ name: `golden-${randomUUID().slice(0, 6)}` });
  await db.insertInto('projects').values(project).execute();
  const app = { id: randomUUID(), project_id: project.id, name: 'api', created_at: t0 };
  await db.insertInto('applications').values(app).execute();
  const env = (name: string, position: number, production: number) => ({
    id: randomUUID(),
    application_id: app.id,
    name,
    position,
    target: 'docker' as const,
    config: '{}',
    requires_approval: 0,
    auto_release: null,
    config_version: 1,
    created_at: t0,
    updated_at: t0,
    production,
  });
  const staging = env('staging', 0, 0);
  const production = env('production', 1, 1);
  const preview = env('preview', 2, 0);
  await db.insertInto('environments').values([staging, production, preview]).execute();

  let runNumber = 0;
  const run = async (
    commitName: string,
    ref: string,
    createdH: number,
    stages: [string, number, number, number?][],
  ) => {
    const startedAt = stages.length ? t0 + (stages[0]?.[1] as number) * HOUR : null;
    const end = stages.length ? t0 + (stages[stages.length - 1]?.[2] as number) * HOUR : null;
    const row = runRow({
      project_id: project.id,
      number: ++runNumber,
      ref_name: ref,
      sha: sha[commitName] as string,
      created_at: t0 + createdH * HOUR,
      started_at: startedAt,
      finished_at: end,
      status: 'succeeded',
    });
    await db.insertInto('runs').values(row).execute();
    for (const [i, [name, from, to, manual]] of stages.entries()) {
      await db
        .insertInto('jobs')
        .values(
          jobRow({
            run_id: row.id,
            name,
            stage: name,
            stage_index: i,
            status: 'succeeded',
            manual: manual ?? 0,
            started_at: t0 + from * HOUR,
            finished_at: t0 + to * HOUR,
          }),
        )
        .execute();
    }
    return row;
  };
  const m = (minutes: number) => minutes / 60;
  const run1 = await run('c2', 'main', 2, [
    ['build', 2 + m(5), 2 + m(15)],
    ['test', 2 + m(15), 2 + m(25)],
  ]);
  const run2 = await run('c3', 'main', 25, [['build', 25, 25 + m(20)]]);
  const run3 = await run('c4', 'main', 49, [['build', 49, 49 + m(10)]]);
  await run('f2', 'feature/x', 61 + m(30), [['build', 61 + m(30), 61 + m(40)]]);
  const run4 = await run('s1', 'main', 70 + m(30), [['build', 70 + m(30), 70 + m(40)]]);
  const run5 = await run('c5', 'main', 80 + m(30), [['build', 80 + m(30), 80 + m(40)]]);
  const run6 = await run('h1', 'hotfix/1', 82 + m(30), [['build', 82 + m(30), 82 + m(40)]]);
  const run7 = await run('c6', 'main', 90 + m(30), [['build', 90 + m(30), 90 + m(40)]]);

  let releaseNumber = 0;
  const ids: string[] = [];
  const release = async (
    environment: { id: string },
    fields: Partial<ReleaseRow> & {
      createdH: number;
      endH: number;
      runRow?: { id: string; sha: string } | null;
    },
  ) => {
    const { createdH, endH, runRow: source, ...rest } = fields;
    const row: ReleaseRow = {
      id: randomUUID(),
      application_id: app.id,
      environment_id: environment.id,
      number: ++releaseNumber,
      image: 'registry.test/api:x',
      digest: `sha256:${String(releaseNumber).padStart(64, '0')}`,
      config: '{}',
      config_version: 1,
      replicas: 1,
      source_run_id: source?.id ?? null,
      source_sha: source?.sha ?? null,
      release_run_id: null,
      release_job: null,
      trigger: 'manual',
      actor: 'ada',
      status: 'succeeded',
      reason: null,
      created_at: t0 + createdH * HOUR,
      started_at: t0 + createdH * HOUR,
      finished_at: t0 + endH * HOUR,
      rollback_of: null,
      promoted_from: null,
      ...rest,
    };
    await db.insertInto('releases').values(row).execute();
    ids.push(row.id);
    return row;
  };
  // Production (#n = release number), see golden.test.ts for what each one is.
  await release(production, { createdH: 3, endH: 3 + m(10), runRow: run1 }); // #1
  await release(staging, { createdH: 2 + m(30), endH: 2 + m(40), runRow: run1 }); // #2 staging
  const r3 = await release(production, {
    createdH: 26,
    endH: 28 + m(5),
    started_at: t0 + 28 * HOUR,
    runRow: run2,
  }); // #3 approval
  await db
    .insertInto('delivery_events')
    .values({
      type: 'approval.granted',
      project_id: project.id,
      run_id: null,
      release_id: r3.id,
      occurred_at: t0 + 28 * HOUR,
      payload: '{}',
    })
    .execute();
  await release(production, { createdH: 50, endH: 50 + m(5), runRow: run3 }); // #4 rolled back by hand
  await release(production, {
    createdH: 51,
    endH: 51 + m(5),
    trigger: 'rollback',
    rollback_of: r3.id,
    digest: r3.digest,
  }); // #5 the rollback
  await release(staging, { createdH: 52, endH: 52 + m(5), status: 'rolled_back', runRow: run3 }); // #6 staging
  await release(production, { createdH: 71, endH: 71 + m(10), runRow: run4 }); // #7 squash merge
  await release(production, { createdH: 81, endH: 81 + m(10), runRow: run5 }); // #8 followed by a hotfix
  const r9 = await release(production, { createdH: 83, endH: 83 + m(10), runRow: run6 }); // #9 the hotfix
  await release(production, {
    createdH: 91,
    endH: 91 + m(5),
    status: 'rolled_back',
    reason: 'container api-1 is unhealthy after 3 failed health checks',
    runRow: run7,
  }); // #10 auto rollback
  await release(production, { createdH: 92, endH: 92 + m(5), digest: r9.digest }); // #11 redeploy of #9's digest

  const gitDir = join(dir, '.git');
  const deps = { db, gitDir: () => gitDir, log: { warn() {}, info() {} } };
  if (opts.record !== false) for (const id of ids) await recordRelease(deps, id);
  return { projectName: project.name, gitDir, sha };
}
