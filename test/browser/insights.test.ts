/**
 * The Insights page (交付洞察) in Chromium against a real `slipway server`: the golden history
 * (golden-history.ts) seeded into the server's database two weeks back, then the project tab
 * shows the four key numbers with their bands, the charts render, a number drills down to the
 * releases behind it, and the page reads in Chinese.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { weekStart } from '../../src/server/insights/time-math.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database } from '../../src/server/store/tables.js';
import { seedGoldenHistory } from '../insights/golden-history.js';
import { launchChromium, newContext, onPage, screenshot, signIn, WAIT_MS } from '../support/browser.js';
import { type SlipwayServerProcess, startSlipwayServer } from '../support/slipway-server.js';
import { ensureWebBuilt } from '../support/web-build.js';

const PASSWORD = `insights-ui-${Math.random().toString(36).slice(2)}-pw`;
let server: SlipwayServerProcess;
let browser: Browser;
let page: Page;
let project = '';

describe('Insights page', { timeout: 300_000 }, () => {
  before(async () => {
    await ensureWebBuilt();
    server = await startSlipwayServer({
      password: PASSWORD,
      env: { SLIPWAY_EMBEDDED_AGENT: 'false' },
      killAfterMs: 600_000,
    });
    // The server is running and migrated: seed its database like history it recorded itself.
    const db = openDatabase(`sqlite:${join(server.dataDir, 'slipway.db')}`) as Kysely<Database>;
    try {
      project = (await seedGoldenHistory(db, weekStart(Date.now()) - 14 * 86_400_000)).projectName;
    } finally {
      await db.destroy();
    }
    browser = await launchChromium();
    page = await (await newContext(browser)).newPage();
    await signIn(page, server.url, 'admin', PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the project tab shows the key numbers, bands, charts and the releases behind a number', async () => {
    await onPage(page, async () => {
      await page.goto(`${server.url}/projects/${project}`);
      await page.click('[data-testid=tab-insights]');
      await page.waitForSelector('[data-testid=insights-page]');
      await page.waitForSelector('text=Counting');
      assert.match(
        (await page.textContent('[data-testid=insights-scope]')) ?? '',
        new RegExp(`${project}/api/production`),
      );
      const cfr = (await page.textContent('[data-testid=insights-failures]')) ?? '';
      assert.match(cfr, /37\.5% · 3 of 8/);
      assert.match(cfr, /Medium/);
      assert.match((await page.textContent('[data-testid=insights-deployments]')) ?? '', /8 deploys/);
      assert.match((await page.textContent('[data-testid=insights-band]')) ?? '', /Medium/);
      assert.match((await page.textContent('[data-testid=insights-rework]')) ?? '', /3 of 9 unplanned/);
      // The value-stream chart is drawn (uPlot marks its canvas) with the approval wait in its
      // legend and data table; the deployments chart's table reads the 8 deploys week by week.
      await page.waitForSelector('[data-testid=insights-value-stream] [data-chart-drawn] canvas');
      assert.match((await page.textContent('[data-testid=insights-value-stream]')) ?? '', /Approval/);
      const perWeek = await page.$$eval(
        '[data-testid=insights-deploys-chart] table.chart-data tbody tr',
        (rows) => rows.map((r) => Number(r.querySelector('td')?.textContent ?? 'NaN')),
      );
      assert.equal(
        perWeek.reduce((a, b) => a + b, 0),
        8,
      );

      await page.click('[data-testid=insights-failures]');
      await page.waitForSelector('[data-testid=insights-drill] table');
      const drill = (await page.textContent('[data-testid=insights-drill]')) ?? '';
      assert.match(drill, /rolled back by hand \(release #5\)/);
      assert.match(drill, /followed by hotfix \(release #9\)/);
      assert.match(drill, /health gate rolled it back/);
      await screenshot(page, 'insights-en');

      await page.click('[data-testid=insights-lead_time]');
      await page.waitForSelector('[data-testid=insights-drill] td.mono');
      assert.equal(await page.locator('[data-testid=insights-drill] tbody tr').count(), 7);
    });
  });

  test('in Chinese, and across projects from the top bar', async () => {
    await onPage(page, async () => {
      await page.selectOption('select[data-testid=lang]', 'zh-CN');
      await page.waitForSelector('text=变更失败率');
      assert.match((await page.textContent('[data-testid=insights-band]')) ?? '', /中/);
      assert.match((await page.textContent('[data-testid=insights-value-stream]')) ?? '', /等待审批/);
      await screenshot(page, 'insights-zh-CN');
      await page.click('a[href="/insights"]');
      await page.waitForSelector('h1:has-text("交付洞察")', { timeout: WAIT_MS });
      await page.waitForSelector('[data-testid=insights-failures]');
      assert.match((await page.textContent('[data-testid=insights-failures]')) ?? '', /37\.5%/);
      await page.selectOption('select[data-testid=lang]', 'en');
    });
  });
});
