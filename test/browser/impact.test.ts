/**
 * The Impact page (影响) in Chromium against a real `slipway server` whose database holds the
 * release-impact scenarios (test/impact/impact-scenarios.ts) ten hours back: the timeline charts
 * with release markers, the release cards with their verdicts, the canary environment, the
 * verdict chips on the release history, the tab links to behaviour and feedback, the page in
 * Chinese with no untranslated key, and a phone-width layout with no sideways scrolling.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { floorMinute } from '../../src/server/impact/traffic-window.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database } from '../../src/server/store/tables.js';
import { MIN, seedImpactScenarios } from '../impact/impact-scenarios.js';
import { launchChromium, newContext, onPage, screenshot, signIn } from '../support/browser.js';
import { type SlipwayServerProcess, startSlipwayServer } from '../support/slipway-server.js';
import { ensureWebBuilt } from '../support/web-build.js';

const PASSWORD = `impact-ui-${Math.random().toString(36).slice(2)}-pw`;
let server: SlipwayServerProcess;
let browser: Browser;
let project = '';

/** Keys that fell through both dictionaries show as themselves: `impact.something`. */
async function assertNoUntranslatedKey(page: Page): Promise<void> {
  const text = (await page.textContent('body')) ?? '';
  assert.doesNotMatch(text, /\b(impact|apps|common)\.[a-zA-Z_.]+/, 'an untranslated message key is visible');
}

describe('Impact page', { timeout: 300_000 }, () => {
  before(async () => {
    await ensureWebBuilt();
    server = await startSlipwayServer({
      password: PASSWORD,
      env: { SLIPWAY_EMBEDDED_AGENT: 'false' },
      killAfterMs: 600_000,
    });
    const db = openDatabase(`sqlite:${join(server.dataDir, 'slipway.db')}`) as Kysely<Database>;
    try {
      project = (await seedImpactScenarios(db, floorMinute(Date.now()) - 600 * MIN)).project;
    } finally {
      await db.destroy();
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('timeline with release markers, release cards with verdicts, canary, tabs (en, 1440 px)', async () => {
    const page = await (await newContext(browser, { width: 1440, height: 900 })).newPage();
    await signIn(page, server.url, 'admin', PASSWORD);
    await onPage(page, async () => {
      // From the applications tab: the verdict chips on the history and the link to the view.
      await page.goto(`${server.url}/projects/${project}/apps`);
      await page.waitForSelector('[data-testid=release-verdict-web-4]');
      assert.equal(await page.textContent('[data-testid=release-verdict-web-4]'), 'worse');
      assert.equal(await page.textContent('[data-testid=release-verdict-web-3]'), 'better');
      await page.click('[data-testid=impact-link-web]');
      await page.waitForSelector('[data-testid=impact-page]');
      assert.equal(new URL(page.url()).pathname, `/projects/${project}/applications/web/impact`);

      await page.waitForSelector('[data-testid=impact-card-4] [data-testid=impact-verdict-4]');
      assert.equal(await page.textContent('[data-testid=impact-verdict-4]'), 'worse');
      await page.waitForSelector('[data-testid=impact-verdict-2]');
      assert.equal(await page.textContent('[data-testid=impact-verdict-2]'), 'no change');
      assert.equal(await page.textContent('[data-testid=impact-verdict-3]'), 'better');
      assert.equal(await page.textContent('[data-testid=impact-verdict-5]'), 'not enough data');
      const card4 = (await page.textContent('[data-testid=impact-card-4]')) ?? '';
      assert.match(card4, /20\.00%/);
      assert.match(card4, /two-proportion z-test/);
      assert.match(card4, /Mann–Whitney/);
      assert.match(
        (await page.textContent('[data-testid=impact-signals-4]')) ?? '',
        /Client errors: 0 before → 3 after \(4 in all\).*Feedback: 3 messages, average rating 1\.5/,
      );
      // The charts are drawn (uPlot marks its canvas) with a marker per release, listed with its
      // verdict next to the canvas for screen readers.
      await page.waitForSelector('[data-testid=impact-chart-traffic] [data-chart-drawn] canvas');
      await page.waitForSelector('[data-testid=impact-chart-errors] [data-chart-drawn] canvas');
      await page.waitForSelector('[data-testid=impact-chart-latency] [data-chart-drawn] canvas');
      assert.match((await page.textContent('[data-testid=impact-chart-traffic]')) ?? '', /#4 worse/);
      // The impact area's one tab bar, with this page's tab marked current.
      assert.equal(await page.getAttribute('[data-testid=impact-tab-timeline]', 'aria-current'), 'page');
      assert.equal(await page.getAttribute('[data-testid=impact-tab-behaviour]', 'aria-current'), null);
      assert.equal(
        await page.getAttribute('[data-testid=impact-tab-behaviour]', 'href'),
        `/projects/${project}/applications/web/impact/behaviour`,
      );
      assert.equal(
        await page.getAttribute('[data-testid=impact-tab-feedback]', 'href'),
        `/projects/${project}/applications/web/impact/feedback`,
      );
      await assertNoUntranslatedKey(page);
      await screenshot(page, 'impact-en-1440');

      await page.selectOption('[data-testid=impact-env]', 'canary');
      await page.waitForSelector('[data-testid=impact-canary-7]');
      assert.match(
        (await page.textContent('[data-testid=impact-canary-7]')) ?? '',
        /Canary vs stable \(same minutes\): worse/,
      );
      assert.equal(await page.textContent('[data-testid=impact-verdict-7]'), 'not live');
    });
  });

  test('in Chinese at 1440 and 390 px: translated, no sideways scrolling on a phone', async () => {
    for (const width of [1440, 390]) {
      const page = await (await newContext(browser, { width, height: 860, locale: 'zh-CN' })).newPage();
      await signIn(page, server.url, 'admin', PASSWORD);
      await onPage(page, async () => {
        await page.selectOption('select[data-testid=lang]', 'zh-CN');
        await page.goto(`${server.url}/projects/${project}/applications/web/impact`);
        await page.waitForSelector('[data-testid=impact-verdict-4]');
        assert.equal(await page.textContent('[data-testid=impact-verdict-4]'), '变差');
        assert.equal(await page.textContent('[data-testid=impact-verdict-2]'), '无变化');
        assert.match((await page.textContent('h1')) ?? '', /影响 · web/);
        assert.match((await page.textContent('[data-testid=impact-card-4]')) ?? '', /双比例 z 检验/);
        assert.equal(await page.textContent('[data-testid=impact-tab-feedback]'), '反馈');
        await page.waitForSelector('[data-testid=impact-chart-errors] [data-chart-drawn] canvas');
        await assertNoUntranslatedKey(page);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 1, `${width} px: the page scrolls sideways by ${overflow} px`);
        await screenshot(page, `impact-zh-CN-${width}`);
        if (width === 390) {
          await page.selectOption('select[data-testid=lang]', 'en');
          await page.waitForSelector('text=Releases in this range');
          await assertNoUntranslatedKey(page);
          await screenshot(page, 'impact-en-390');
        }
      });
      await page.context().close();
    }
  });
});
