/**
 * The /metrics insights gauges read the facts cache the insights API uses: two scrapes in a row
 * read the release facts from the table once (the cache's own counters say so), and a release
 * that ends afterwards is in the next scrape — the delivery event bus's insights subscriber
 * stores its facts and invalidates the environment. Real SQLite, real bus, real git history.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { DeliveryEventBus } from '../../src/server/events/delivery-event-bus.js';
import { InsightsFactCache } from '../../src/server/insights/insights-cache.js';
import { followReleasesForInsights } from '../../src/server/insights/insights-follow-up.js';
import { collectMetrics } from '../../src/server/metrics/collect-metrics.js';
import type { Database } from '../../src/server/store/tables.js';
import { type GoldenHistory, HOUR, T0 } from './golden-history.js';
import { goldenProduction, nextReleaseNumber, openGoldenSqlite, succeededRelease } from './golden-release.js';

const silent = { info() {}, warn() {}, error() {} };
/** A scrape a week after the golden history began: all of it is in the 30-day window. */
const NOW = T0 + 7 * 24 * HOUR;

let db: Kysely<Database>;
let history: GoldenHistory;
before(async () => {
  ({ db, history } = await openGoldenSqlite('slipway-insights-metrics-'));
});
after(async () => {
  await db.destroy();
});

/** The value of one gauge sample of the golden project (null when the sample is absent). */
function gauge(text: string, name: string, extra = ''): number | null {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{project="${history.projectName}"${extra}} `));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('scrapes read the facts cache; a release that ends shows up in the next scrape', async () => {
  const cache = new InsightsFactCache();
  const bus = new DeliveryEventBus(silent);
  const unsubscribe = followReleasesForInsights(bus, {
    db,
    gitDir: () => history.gitDir,
    log: silent,
    cache,
  });
  try {
    const first = await collectMetrics(db, NOW, { insightsCache: cache });
    const deployments = gauge(first, 'slipway_insights_deployments_30d');
    assert.ok(deployments !== null && deployments > 0, `deployments gauge in:\n${first}`);
    const afterFirst = cache.stats();
    assert.ok(afterFirst.loads > 0, 'the first scrape filled the cache from the table');

    // The second scrape is answered from memory: no environment is read again, each one hits.
    const second = await collectMetrics(db, NOW, { insightsCache: cache });
    const afterSecond = cache.stats();
    assert.equal(afterSecond.loads, afterFirst.loads, 'two scrapes in a row read the facts once');
    assert.ok(afterSecond.hits > afterFirst.hits);
    assert.equal(gauge(second, 'slipway_insights_deployments_30d'), deployments);

    // A production release ends, as the deploy code records it: the row and its event in one
    // transaction, dispatched after the commit to the insights subscriber.
    const production = await goldenProduction(db, history);
    const id = randomUUID();
    const number = await nextReleaseNumber(db, production.application_id);
    const at = T0 + 100 * HOUR;
    await bus.transact(
      db,
      () => at,
      async (trx, record) => {
        await trx
          .insertInto('releases')
          .values(
            succeededRelease(production, {
              id,
              number,
              image: 'registry.test/api:z',
              digest: `sha256:${'e'.repeat(64)}`,
              sourceSha: history.sha.c6 as string,
              at,
            }),
          )
          .execute();
        record({
          type: 'release.succeeded',
          projectId: production.project_id,
          runId: null,
          releaseId: id,
          data: {
            number,
            applicationId: production.application_id,
            environmentId: production.id,
            image: 'registry.test/api:z',
            trigger: 'manual',
            reason: null,
          },
        });
      },
    );
    await bus.drain();

    const third = await collectMetrics(db, NOW, { insightsCache: cache });
    assert.equal(gauge(third, 'slipway_insights_deployments_30d'), (deployments as number) + 1);
    assert.equal(cache.stats().loads, afterSecond.loads + 1, 'only the invalidated environment was re-read');
    // The same numbers as a scrape computed from the tables alone.
    const plain = await collectMetrics(db, NOW);
    for (const name of [
      'slipway_insights_deployments_30d',
      'slipway_insights_change_failure_ratio',
      'slipway_insights_rework_ratio',
    ]) {
      assert.equal(gauge(third, name), gauge(plain, name), name);
    }
    assert.equal(
      gauge(third, 'slipway_insights_lead_time_seconds', ',quantile="0.5"'),
      gauge(plain, 'slipway_insights_lead_time_seconds', ',quantile="0.5"'),
    );
  } finally {
    unsubscribe();
    await bus.close();
  }
});
