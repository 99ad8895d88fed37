/**
 * Per-project access in a real browser against a real `slipway server` (issue #14): a private
 * project is absent from a non-member's list and its page is the not-found page; once a
 * maintainer adds them in "Members & visibility", they see it — in English and in Chinese.
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

let server: UiServer;
let browser: Browser;

/** The project list of a user who is a member of nothing yet: it says it is empty. */
async function expectEmptyList(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.locator('p.empty').waitFor();
  assert.equal(await page.locator('[data-testid=project-item]').count(), 0);
}

describe('Members & visibility in the browser', { timeout: 300_000 }, () => {
  before(async () => {
    await ensureWebBuilt();
    server = await startUiServer({ SLIPWAY_EMBEDDED_AGENT: 'false', SLIPWAY_DEMO: 'false' });
    for (const name of ['hush-en', 'hush-zh']) {
      await server.api('/api/projects', {
        method: 'POST',
        body: JSON.stringify({ name, source: { kind: 'builtin' } }),
      });
    }
    for (const username of ['bob', 'lin']) {
      await server.api('/api/users', {
        method: 'POST',
        body: JSON.stringify({ username, password: `${username}-password-123`, role: 'viewer' }),
      });
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const { lang, project, user, notFound, title, locale } of [
    {
      lang: 'en',
      project: 'hush-en',
      user: 'bob',
      notFound: 'Page not found',
      title: 'Members & visibility',
      locale: 'en-US',
    },
    {
      lang: 'zh-CN',
      project: 'hush-zh',
      user: 'lin',
      notFound: '页面不存在',
      title: '成员与可见性',
      locale: 'zh-CN',
    },
  ]) {
    test(`${lang}: a private project is invisible to a non-member until a maintainer adds them`, async () => {
      const admin = await (await newContext(browser, { locale })).newPage();
      const member = await (await newContext(browser, { locale })).newPage();
      await signIn(admin, server.url, server.username, server.password);
      await signIn(member, server.url, user, `${user}-password-123`);

      await onPage(member, async () => {
        await expectEmptyList(member, server.url);
        await member.goto(`${server.url}/projects/${project}`);
        await member.getByRole('heading', { name: notFound }).waitFor();
      });
      await screenshot(member, `access-hidden-${lang}`);

      await onPage(admin, async () => {
        await admin.goto(`${server.url}/projects/${project}/settings`);
        const section = admin.locator('[data-testid=members-settings]');
        await section.getByRole('heading', { name: title }).waitFor();
        assert.equal(await admin.locator('[data-testid=visibility]').inputValue(), 'private');
        const form = admin.locator('[data-testid=add-member]');
        await form.locator('input[name=username]').fill(user);
        await form.locator('select[name=role]').selectOption('viewer');
        await form.locator('button[type=submit]').click();
        await section.locator(`[data-testid=member][data-name=${user}]`).waitFor();
      });
      await screenshot(admin, `access-members-${lang}`);

      await onPage(member, async () => {
        await member.goto(`${server.url}/`);
        await member.locator(`[data-testid=project-item][data-name=${project}]`).waitFor();
        await member.goto(`${server.url}/projects/${project}/settings`);
        const section = member.locator('[data-testid=members-settings]');
        await section.getByRole('heading', { name: title }).waitFor();
        // A viewer sees the members but is offered no change.
        assert.equal(await member.locator('[data-testid=add-member]').count(), 0);
        assert.equal(await member.locator('[data-testid=visibility]').isDisabled(), true);
        assert.equal(await member.getByRole('heading', { name: notFound }).count(), 0);
        // A viewer member is offered no Run manually; the project role decides, not the instance role.
        await member.goto(`${server.url}/projects/${project}`);
        await member.locator('[data-testid=project-header]').waitFor();
        assert.equal(await member.locator('[data-testid=run-manually]').count(), 0);
      });
      const promoted = await server.api<{ role: string }>(`/api/projects/${project}/members/${user}`, {
        method: 'PUT',
        body: JSON.stringify({ role: 'developer' }),
      });
      assert.equal(promoted.role, 'developer');
      await onPage(member, async () => {
        // Still an instance viewer, now a developer of this project: Run manually is there.
        await member.goto(`${server.url}/projects/${project}`);
        await member.locator('[data-testid=run-manually]').waitFor();
      });
      await admin.context().close();
      await member.context().close();
    });
  }
});
