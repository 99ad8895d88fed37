/**
 * The behaviour and feedback pages and the site settings in Chromium against a real
 * `slipway server` (built UI): events and feedback sent to the public endpoint show up as
 * totals, pages and per-release rows; a message is resolved from the inbox; the settings show
 * the snippet; at 390 px and in Chinese.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  newContext,
  onPage,
  screenshot,
  signIn,
  startUiServer,
  type UiServer,
} from '../support/browser.js';
import { ensureWebBuilt } from '../support/web-build.js';
import { collect } from './collect-support.js';

const ORIGIN = 'https://shop.example.com';
let ui: UiServer;
let browser: Browser;
let page: Page;
const project = `beh${Date.now().toString(36)}`;
let siteKey = '';

describe('behaviour pages', { timeout: 300_000 }, () => {
  before(async () => {
    await ensureWebBuilt();
    ui = await startUiServer({ SLIPWAY_EMBEDDED_AGENT: 'false' });
    await ui.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: project, source: { kind: 'builtin' } }),
    });
    await ui.api(`/api/projects/${project}/applications`, {
      method: 'POST',
      body: JSON.stringify({ name: 'shop', environments: [{ name: 'staging' }, { name: 'production' }] }),
    });
    const site = await ui.api<{ siteKey: string }>(
      `/api/projects/${project}/applications/shop/collect-site`,
      {
        method: 'PUT',
        body: JSON.stringify({ origins: [{ origin: ORIGIN, environment: null }], feedbackEnabled: true }),
      },
    );
    siteKey = site.siteKey;
    const send = (body: Record<string, unknown>, path?: string) =>
      collect(
        ui.url,
        { site: siteKey, url: `${ORIGIN}/pricing`, ...body },
        { origin: ORIGIN, ...(path ? { path } : {}) },
      );
    for (const body of [
      { kind: 'pageview', referrer: 'https://news.example.org/' },
      { kind: 'pageview', url: `${ORIGIN}/checkout` },
      { kind: 'event', name: 'signup', props: { plan: 'pro' } },
      { kind: 'error', name: 'TypeError: cart is null', source: `${ORIGIN}/app.js:3:14` },
    ]) {
      assert.equal((await send(body)).status, 202);
    }
    assert.equal((await send({ message: '支付按钮没反应', rating: 2 }, '/api/collect/feedback')).status, 202);
    browser = await launchChromium();
    page = await (await newContext(browser, { width: 390, height: 844 })).newPage();
    await signIn(page, ui.url, 'admin', ui.password);
  });
  after(async () => {
    await browser?.close();
    await ui?.stop();
  });

  test('settings show the snippet; the behaviour page counts; the inbox resolves; in Chinese at 390 px', async () => {
    await onPage(page, async () => {
      await page.goto(`${ui.url}/projects/${project}/apps`);
      await page.click('[data-testid=collect-site-shop] summary');
      const snippet = (await page.textContent('[data-testid=collect-snippet]')) ?? '';
      assert.match(
        snippet,
        new RegExp(`<script defer src="http://127\\.0\\.0\\.1:\\d+/s\\.js" data-site="${siteKey}"></script>`),
      );
      assert.equal(await page.inputValue('[data-testid=collect-site-shop] input[aria-label=Origin]'), ORIGIN);
      await page.click('[data-testid=collect-site-shop] a:has-text("Behaviour")');
      await page.waitForSelector('[data-testid=behaviour-page]');
      // The endpoint writes behind: reload until the four events are counted (bounded).
      for (let i = 0; ; i++) {
        const views = await page.textContent('[data-testid=behaviour-views] strong');
        if (views === '2') break;
        if (i > 50) throw new Error(`views stayed ${views}`);
        await page.reload();
        await page.waitForSelector('[data-testid=behaviour-views] strong');
      }
      assert.equal(await page.textContent('[data-testid=behaviour-visitors] strong'), '1');
      assert.equal(await page.textContent('[data-testid=behaviour-events] strong'), '1');
      assert.equal(await page.textContent('[data-testid=behaviour-errors] strong'), '1');
      await page.waitForSelector('td:has-text("/checkout")');
      await page.waitForSelector('td:has-text("news.example.org")');
      await page.waitForSelector('td:has-text("TypeError: cart is null")');
      await page.waitForSelector('.behaviour-chart [data-chart-drawn] canvas');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the page is ${width}px wide at 390`);
      await screenshot(page, 'behaviour-390');

      await page.selectOption('select[data-testid=lang]', 'zh-CN');
      await page.waitForSelector('h1:has-text("用户行为")');
      // One tab bar for the impact area: behaviour is marked as the current tab, then feedback.
      assert.equal(await page.getAttribute('[data-testid=impact-tab-behaviour]', 'aria-current'), 'page');
      assert.equal(await page.getAttribute('[data-testid=impact-tab-feedback]', 'aria-current'), null);
      await page.click('[data-testid=impact-tab-feedback]');
      await page.waitForSelector('[data-testid=feedback-page]');
      await page.waitForSelector('[data-testid=feedback-item]:has-text("支付按钮没反应")');
      await screenshot(page, 'feedback-390-zh');
      await page.click('[data-testid=feedback-item] button:has-text("标记为已处理")');
      await page.waitForSelector('text=没有符合条件的反馈。');
      await page.selectOption('select[data-testid=feedback-status]', 'resolved');
      await page.waitForSelector('[data-testid=feedback-item]:has-text("支付按钮没反应")');
      assert.equal(await page.getAttribute('[data-testid=impact-tab-feedback]', 'aria-current'), 'page');
      assert.equal(await page.getAttribute('[data-testid=impact-tab-behaviour]', 'aria-current'), null);
      const back = await page.getAttribute('[data-testid=impact-tab-timeline]', 'href');
      assert.equal(back, `/projects/${project}/applications/shop/impact`);
    });
  });
});
