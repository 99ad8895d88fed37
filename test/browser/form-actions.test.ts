/**
 * React 19 form actions in Chromium against a real `slipway server`: while a form's request runs
 * its submit button is disabled (the request is held by the test, so no timing is involved); a
 * refusal is shown next to the form and everything typed or chosen stays — text fields, a select
 * and a radio choice — so the user corrects instead of starting over; a success clears the form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, Route } from 'playwright-core';
import {
  launchChromium,
  newContext,
  onPage,
  signIn,
  startUiServer,
  type UiServer,
} from '../support/browser.js';
import { ensureWebBuilt } from '../support/web-build.js';

describe('form actions in the browser', { timeout: 300_000 }, () => {
  let server: UiServer;
  let browser: Browser;

  before(async () => {
    await ensureWebBuilt();
    server = await startUiServer({ SLIPWAY_EMBEDDED_AGENT: 'false' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function adminPage(): Promise<Page> {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, server.url, server.username, server.password);
    return page;
  }

  test('create project: pending disables the button; a refusal keeps name, source, URL, forge and branch', async () => {
    const page = await adminPage();
    await page.goto(`${server.url}/projects/new`);
    await onPage(page, async () => {
      await page.fill('input[name=name]', 'Not A Valid Name');
      await page.check('input[name=source][value=remote]');
      await page.fill('input[name=remoteUrl]', 'https://example.com/org/repo.git');
      await page.selectOption('select[name=forge]', 'gitea');
      await page.fill('input[name=defaultBranch]', 'trunk');
      // Hold the request until the button has been seen disabled.
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await page.route('**/api/projects', async (route: Route) => {
        if (route.request().method() !== 'POST') return route.continue();
        await held;
        return route.continue();
      });
      await page.click('button[type=submit]');
      await page.locator('button[type=submit][disabled]').waitFor();
      release();
      await page.locator('form [role=alert]').waitFor();
      await page.locator('button[type=submit]:not([disabled])').waitFor();
      assert.equal(await page.inputValue('input[name=name]'), 'Not A Valid Name');
      assert.ok(await page.isChecked('input[name=source][value=remote]'));
      assert.equal(await page.inputValue('input[name=remoteUrl]'), 'https://example.com/org/repo.git');
      assert.equal(await page.inputValue('select[name=forge]'), 'gitea');
      assert.equal(await page.inputValue('input[name=defaultBranch]'), 'trunk');
      await page.unroute('**/api/projects');
      // Corrected, it goes through.
      await page.check('input[name=source][value=builtin]');
      await page.fill('input[name=name]', 'forms-ok');
      await page.click('button[type=submit]');
      await page.locator('[data-testid=push-instructions]').waitFor();
    });
  });

  test('add user: a refused name keeps name, role and the tick; a success clears the form', async () => {
    const page = await adminPage();
    await page.goto(`${server.url}/admin/users`);
    const form = page.locator('[data-testid=add-user]');
    await onPage(page, async () => {
      await form.waitFor();
      await form.locator('input[name=username]').fill('admin');
      await form.locator('input[name=password]').fill('long-enough-password-1');
      await form.locator('select[name=role]').selectOption('maintainer');
      await form.locator('input[name=mustChange]').uncheck();
      await form.locator('button[type=submit]').click();
      await page.locator('[data-testid=users] [role=alert]').waitFor();
      assert.equal(await form.locator('input[name=username]').inputValue(), 'admin');
      assert.equal(await form.locator('select[name=role]').inputValue(), 'maintainer');
      assert.equal(await form.locator('input[name=mustChange]').isChecked(), false);
      // The password is not written back into the page: typed again.
      assert.equal(await form.locator('input[name=password]').inputValue(), '');
      await form.locator('input[name=username]').fill('forms-zoe');
      await form.locator('input[name=password]').fill('long-enough-password-1');
      await form.locator('button[type=submit]').click();
      await page.locator('[data-testid=user-forms-zoe]').waitFor();
      await page.locator('[data-testid=users] [role=alert]').waitFor({ state: 'detached' });
      assert.equal(await form.locator('input[name=username]').inputValue(), '');
      assert.equal(await form.locator('select[name=role]').inputValue(), 'viewer');
    });
  });
});
