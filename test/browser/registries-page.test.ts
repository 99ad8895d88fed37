/**
 * Registries from the browser (issue #14): an admin adds global registry credentials on
 * Administration → Registries, a maintainer adds a project's own in its settings, "Check" talks
 * to a real registry (Debian's docker-registry with htpasswd) and says the result in the
 * reader's language; the password never comes back. Screenshots en + zh at 1440 and 390 px.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  launchChromium,
  newContext,
  screenshot,
  signIn,
  startUiServer,
  type UiServer,
} from '../support/browser.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { ensureWebBuilt } from '../support/web-build.js';

let server: UiServer;
let browser: Browser;
let registry: TestRegistry;

describe('registries in the browser', () => {
  before(async () => {
    await ensureWebBuilt();
    registry = await startRegistry({ username: 'ci', password: 'registry-pass-1' });
    // The test registry listens on loopback, which the outbound policy refuses unless allowed.
    server = await startUiServer({
      SLIPWAY_EMBEDDED_AGENT: 'false',
      SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1',
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await registry?.stop();
  });

  test('an admin adds and checks a global registry; wrong credentials are said so, in Chinese too', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, server.url, server.username, server.password);
    await page.click('a[href="/admin/registries"]');
    const section = page.locator('[data-testid=registries]');
    await section.locator('input[name=registryHost]').fill(registry.host);
    await section.locator('input[name=registryUser]').fill('ci');
    await section.locator('input[name=registryPassword]').fill('registry-pass-1');
    await section.locator('button[type=submit]').click();
    const item = section.locator(`[data-testid=registry-item][data-host="${registry.host}"]`);
    await item.waitFor();
    await item.getByRole('button', { name: 'Check' }).click();
    await item.locator('[data-testid=registry-check]', { hasText: 'signed in' }).waitFor();
    const html = await page.content();
    assert.ok(!html.includes('registry-pass-1'), 'the password is never shown');
    await screenshot(page, 'registries-en-1440');

    // The same host with a wrong password replaces the credentials; the check says they were refused.
    await section.locator('input[name=registryHost]').fill(registry.host);
    await section.locator('input[name=registryUser]').fill('ci');
    await section.locator('input[name=registryPassword]').fill('wrong-password-1');
    await section.locator('button[type=submit]').click();
    await page.selectOption('[data-testid=lang]', 'zh-CN');
    const again = section.locator(`[data-testid=registry-item][data-host="${registry.host}"]`);
    await again.getByRole('button', { name: '检查' }).click();
    await again.locator('[data-testid=registry-check]', { hasText: '凭据被拒绝' }).waitFor();
    await screenshot(page, 'registries-zh-1440');

    const narrow = await newContext(browser, { width: 390, height: 844 });
    const small = await narrow.newPage();
    await signIn(small, server.url, server.username, server.password);
    await small.goto(`${server.url}/admin/registries`);
    await small.locator('[data-testid=registry-item]').first().waitFor();
    const scrolls = await small.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(scrolls, false, 'no horizontal scrolling at 390 px');
    await screenshot(small, 'registries-en-390');
    await narrow.close();
    await context.close();
  });
});
