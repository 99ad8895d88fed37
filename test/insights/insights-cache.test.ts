/**
 * The API's facts cache (insights-cache.ts) answers exactly what the table answers, and a
 * release that ends afterwards shows up at once: the insights follow-up invalidates the
 * environment after writing its facts and commits.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { InsightsFactCache } from '../../src/server/insights/insights-cache.js';
import { recordRelease } from '../../src/server/insights/insights-follow-up.js';
import { insightsOf } from '../../src/server/insights/insights-queries.js';
import type { Database } from '../../src/server/store/tables.js';
import { type GoldenHistory, HOUR, T0 } from './golden-history.js';
import { goldenProduction, nextReleaseNumber, openGoldenSqlite, succeededRelease } from './golden-release.js';

let db: Kysely<Database>;
let history: GoldenHistory;
before(async () => {
  ({ db, history } = await openGoldenSqlite('slipway-insights-cache-'));
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
  const production = await goldenProduction(db, history);
  const id = randomUUID();
  await db
    .insertInto('releases')
    .values(
      succeededRelease(production, {
        id,
        number: await nextReleaseNumber(db, production.application_id),
        image: 'registry.test/api:y',
        digest: `sha256:${'f'.repeat(64)}`,
        sourceSha: history.sha.c6 as string,
        at: T0 + 100 * HOUR,
      }),
    )
    .execute();
  // What the delivery event bus's insights subscriber does when the release ends.
  await recordRelease({ db, gitDir: () => history.gitDir, log: { warn() {}, info() {} }, cache }, id);
  const { summary } = await insightsOf(db, week, { cache });
  assert.equal(summary.deploymentFrequency.deployments, before + 1);
  assert.deepEqual(summary, (await insightsOf(db, week)).summary);
});
