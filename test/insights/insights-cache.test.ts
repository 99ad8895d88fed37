/**
 * The API's facts cache (insights-cache.ts) answers exactly what the table answers, and a
 * release that ends afterwards shows up at once: the insights follow-up invalidates the
 * environment after writing its facts and commits.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { InsightsFactCache } from '../../src/server/insights/insights-cache.js';
import { recordRelease } from '../../src/server/insights/insights-follow-up.js';
import { insightsOf } from '../../src/server/insights/insights-queries.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database } from '../../src/server/store/tables.js';
import { type GoldenHistory, HOUR, seedGoldenHistory, T0 } from './golden-history.js';

let db: Kysely<Database>;
let history: GoldenHistory;
before(async () => {
  db = openDatabase(
    `sqlite://${join(mkdtempSync(join(tmpdir(), 'slipway-insights-cache-')), 'slipway.db')}`,
  ) as Kysely<Database>;
  await migrateToLatest(db as never);
  history = await seedGoldenHistory(db);
});
after(async () => {
  await db.destroy();
});

const scope = (from: number, to: number, environment?: string) => ({
  projects: [history.projectName],
  from,
  to,
  hotfixWindowMs: 7 * 24 * HOUR,
  ...(environment ? { environment } : {}),
});

test('cached facts give the same answers as the table, for any window', async () => {
  const cache = new InsightsFactCache();
  const windows: [number, number, string?][] = [
    [T0, T0 + 7 * 24 * HOUR],
    [T0 + 26 * HOUR, T0 + 52 * HOUR],
    [T0 + 28 * HOUR + 5 * 60_000, T0 + 91 * HOUR + 5 * 60_000],
    [T0 - 7 * 24 * HOUR, T0],
    [T0, T0 + 7 * 24 * HOUR, 'staging'],
  ];
  for (const [from, to, env] of windows) {
    const plain = await insightsOf(db, scope(from, to, env), { withCommits: true });
    // Twice: the first answer loads the cache, the second is served from it.
    assert.deepEqual(await insightsOf(db, scope(from, to, env), { withCommits: true, cache }), plain);
    assert.deepEqual(await insightsOf(db, scope(from, to, env), { withCommits: true, cache }), plain);
  }
});

test('a release that ends after the cache was filled is counted at once', async () => {
  const cache = new InsightsFactCache();
  const week = scope(T0, T0 + 7 * 24 * HOUR);
  const before = (await insightsOf(db, week, { cache })).summary.deploymentFrequency.deployments;
  const production = await db
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .innerJoin('projects', 'projects.id', 'applications.project_id')
    .select(['environments.id', 'environments.application_id'])
    .where('projects.name', '=', history.projectName)
    .where('environments.name', '=', 'production')
    .executeTakeFirstOrThrow();
  const last = await db
    .selectFrom('releases')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('application_id', '=', production.application_id)
    .executeTakeFirstOrThrow();
  const id = randomUUID();
  await db
    .insertInto('releases')
    .values({
      id,
      application_id: production.application_id,
      environment_id: production.id,
      number: Number(last.n) + 1,
      image: 'registry.test/api:y',
      digest: `sha256:${'f'.repeat(64)}`,
      config: '{}',
      config_version: 1,
      replicas: 1,
      source_run_id: null,
      source_sha: history.sha.c6 as string,
      release_run_id: null,
      release_job: null,
      trigger: 'manual',
      actor: 'ada',
      status: 'succeeded',
      reason: null,
      created_at: T0 + 100 * HOUR,
      started_at: T0 + 100 * HOUR,
      finished_at: T0 + 100 * HOUR + 60_000,
      rollback_of: null,
      promoted_from: null,
    })
    .execute();
  // What the delivery event bus's insights subscriber does when the release ends.
  await recordRelease({ db, gitDir: () => history.gitDir, log: { warn() {}, info() {} }, cache }, id);
  const { summary } = await insightsOf(db, week, { cache });
  assert.equal(summary.deploymentFrequency.deployments, before + 1);
  assert.deepEqual(summary, (await insightsOf(db, week)).summary);
});
