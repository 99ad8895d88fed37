/**
 * The commits step of the insights (environment-commits.ts) when the repository lacks a
 * release's commit — a mirror not fetched yet: the release is stored `missing`, its facts count
 * already, and the catch-up of a later start computes its commits once the commit is there,
 * counting the commits it shipped first (here c6, which only a rolled-back release had carried,
 * and the new c7).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { catchUpInsights, recordRelease } from '../../src/server/insights/insights-follow-up.js';
import { insightsOf } from '../../src/server/insights/insights-queries.js';
import type { Database } from '../../src/server/store/tables.js';
import { type GoldenHistory, HOUR, T0 } from './golden-history.js';
import { goldenProduction, openGoldenSqlite, succeededRelease } from './golden-release.js';

const exec = promisify(execFile);
const gitEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Ada',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_AUTHOR_DATE: `@${(T0 + 99 * HOUR) / 1000} +0000`,
  GIT_COMMITTER_DATE: `@${(T0 + 99 * HOUR) / 1000} +0000`,
};
const git = async (cwd: string, args: string[]) =>
  (await exec('git', args, { cwd, env: gitEnv })).stdout.trim();

let db: Kysely<Database>;
let history: GoldenHistory;
before(async () => {
  ({ db, history } = await openGoldenSqlite('slipway-insights-commits-'));
});
after(async () => {
  await db.destroy();
});

test('a release whose commit the repository lacks is computed by a later catch-up', async () => {
  const work = dirname(history.gitDir);
  // c7 on top of c6, made in a clone: the server's repository does not have it yet.
  const clone = mkdtempSync(join(tmpdir(), 'slipway-insights-clone-'));
  await git(clone, ['clone', '-q', work, '.']);
  await git(clone, ['checkout', '-q', 'main']);
  await writeFile(join(clone, 'c7.txt'), 'c7');
  await git(clone, ['add', '.']);
  await git(clone, ['commit', '-q', '-m', 'c7']);
  const c7 = await git(clone, ['rev-parse', 'HEAD']);
  const production = await goldenProduction(db, history);
  const id = randomUUID();
  await db
    .insertInto('releases')
    .values(
      succeededRelease(production, {
        id,
        number: 12,
        image: 'registry.test/api:c7',
        digest: `sha256:${'7'.repeat(64)}`,
        sourceSha: c7,
        at: T0 + 100 * HOUR,
      }),
    )
    .execute();
  const deps = { db, gitDir: () => history.gitDir, log: { warn() {}, info() {} } };
  await recordRelease(deps, id);
  const stateOf = async () =>
    (
      await db
        .selectFrom('release_facts')
        .select(['commits', 'changes'])
        .where('release_id', '=', id)
        .executeTakeFirstOrThrow()
    ).commits;
  assert.equal(await stateOf(), 'missing');
  const scope = {
    projects: [history.projectName],
    from: T0,
    to: T0 + 7 * 24 * HOUR,
    hotfixWindowMs: 7 * 24 * HOUR,
  };
  // The release counts as a deployment already; its commits do not yet.
  const early = (await insightsOf(db, scope)).summary;
  assert.equal(early.deploymentFrequency.deployments, 9);
  assert.equal(early.leadTime.changes, 7);

  // The mirror fetches; the next start's catch-up computes what was missing.
  await git(work, ['fetch', '-q', clone, 'main:refs/heads/next']);
  assert.equal(await catchUpInsights(deps), 1);
  assert.equal(await stateOf(), 'done');
  const { changes } = await insightsOf(db, scope, { withCommits: true });
  assert.deepEqual(
    changes
      .filter((c) => c.releaseNumber === 12)
      .map((c) => c.sha)
      .sort(),
    [history.sha.c6, c7].sort(),
  );
  assert.equal(await catchUpInsights(deps), 0);
});
