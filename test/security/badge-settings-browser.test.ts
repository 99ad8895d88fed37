/**
 * The Settings tab's "Public status badge" toggle in a real browser against a real
 * `slipway server`: off by default (anonymous badge 404), on shows the README Markdown and makes
 * the badge public, off again hides it.
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

const PROJECT = 'badge-ui';

let server: UiServer;
let browser: Browser;
let page: Page;

const anonymousBadge = () => fetch(`${server.url}/badge/${PROJECT}.svg`).then((r) => r.status);

describe('Settings: public status badge', { timeout: 180_000 }, () => {
  before(async () => {
    await ensureWebBuilt();
    server = await startUiServer({ SLIPWAY_EMBEDDED_AGENT: 'false' });
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
    });
    browser = await launchChromium();
    page = await (await newContext(browser)).newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the toggle turns the anonymous badge on and off and shows the Markdown', async () => {
    await signIn(page, server.url, server.username, server.password);
    await page.goto(`${server.url}/projects/${PROJECT}/settings`);
    await onPage(page, async () => {
      const toggle = page.locator('[data-testid=public-badge]');
      await toggle.waitFor();
      assert.equal(await toggle.isChecked(), false);
      assert.equal(await page.locator('[data-testid=badge-settings] .copy-field').count(), 0);
      assert.equal(await anonymousBadge(), 404);

      await toggle.check();
      const markdown = page.locator('[data-testid=badge-settings] .copy-field input');
      await markdown.waitFor();
      const snippet = await markdown.inputValue();
      assert.match(snippet, new RegExp(`^\\[!\\[${PROJECT}\\]\\(http://[^)]+/badge/${PROJECT}\\.svg\\)\\]`));
      assert.equal(await anonymousBadge(), 200);
      await screenshot(page, 'settings-public-badge');

      await toggle.uncheck();
      await markdown.waitFor({ state: 'detached' });
      assert.equal(await anonymousBadge(), 404);
    });
  });
});
