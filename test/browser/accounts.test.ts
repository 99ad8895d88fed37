/**
 * Account administration in a real browser (Debian chromium) against the real `slipway server`:
 * an admin adds a user whose password must be replaced at first sign-in, that user is held at
 * the password page until they choose their own, and an invitation link made on the Users page
 * becomes an account in a fresh browser. English and Chinese screenshots go to test-artifacts/.
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
import { ensureWebBuilt } from '../support/web-build.js';

let server: UiServer;
let browser: Browser;

describe('accounts in the browser', () => {
  before(async () => {
    await ensureWebBuilt();
    server = await startUiServer({ SLIPWAY_EMBEDDED_AGENT: 'false' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a user added with "must choose a new password" is held at the password page until they do', async () => {
    const admin = await newContext(browser);
    const page = await admin.newPage();
    await signIn(page, server.url, server.username, server.password);
    await page.click('a[href="/admin/users"]');
    await page.waitForSelector('[data-testid=add-user]');
    await page.fill('[data-testid=add-user] input[name=username]', 'rosa');
    await page.fill('[data-testid=add-user] input[name=password]', 'chosen-by-admin-1');
    await page.selectOption('[data-testid=add-user] select[name=role]', 'maintainer');
    await page.click('[data-testid=add-user] button[type=submit]');
    await page.waitForSelector('[data-testid=user-rosa]');
    await screenshot(page, 'users-en-1440');

    const rosaContext = await newContext(browser, { width: 390, height: 844 });
    const rosa = await rosaContext.newPage();
    await rosa.goto(server.url);
    await rosa.fill('input[name="username"]', 'rosa');
    await rosa.fill('input[name="password"]', 'chosen-by-admin-1');
    await rosa.click('button[type=submit]');
    await rosa.waitForSelector('[data-testid=must-change-password]');
    await rosa.fill('input[name=currentPassword]', 'chosen-by-admin-1');
    await rosa.fill('input[name=newPassword]', 'rosas-own-password');
    await rosa.fill('input[name=repeat]', 'rosas-own-password');
    await rosa.click('[data-testid=change-password] button[type=submit]');
    await rosa.waitForSelector('[data-testid=must-change-password]', { state: 'detached' });
    await rosa.waitForSelector('a[href="/account"]');
    const scrolls = await rosa.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(scrolls, false, 'no horizontal scrolling at 390 px');
    const users = await server.api<{ username: string; mustChangePassword: boolean }[]>('/api/users');
    assert.equal(users.find((u) => u.username === 'rosa')?.mustChangePassword, false);
    await rosaContext.close();
    await admin.close();
  });

  test('an invitation link made on the Users page becomes an account in another browser (zh-CN)', async () => {
    const admin = await newContext(browser, { locale: 'zh-CN' });
    const page = await admin.newPage();
    await signIn(page, server.url, server.username, server.password);
    await page.goto(`${server.url}/admin/users`);
    await page.waitForSelector('[data-testid=invites]');
    await page.selectOption('[data-testid=invites] select', 'viewer');
    await page.click('[data-testid=invites] button:has-text("生成邀请链接")');
    const link = await page.inputValue('[data-testid=invites] input[readonly]');
    assert.match(link, /\/invite\/[A-Za-z0-9_-]{20,}$/);
    await screenshot(page, 'users-zh-1440');

    const guest = await newContext(browser, { locale: 'zh-CN', width: 390, height: 844 });
    const invited = await guest.newPage();
    await invited.goto(link);
    await invited.waitForSelector('[data-testid=invite-form]');
    assert.match((await invited.textContent('h1')) ?? '', /创建你的 Slipway 账号/);
    await screenshot(invited, 'invite-zh-390');
    await invited.fill('input[name=username]', 'lei');
    await invited.fill('input[name=password]', 'leis-own-password');
    await invited.fill('input[name=repeat]', 'leis-own-password');
    await invited.click('button[type=submit]');
    await invited.waitForSelector('a[href="/account"]');
    assert.equal(await invited.textContent('a[href="/account"]'), 'lei');
    assert.equal(await invited.locator('a[href="/admin/users"]').count(), 0, 'a viewer sees no Users link');

    // The link is spent: opening it again in a signed-out browser creates nothing.
    const other = await newContext(browser);
    const again = await other.newPage();
    await again.goto(link);
    await again.fill('input[name=username]', 'lei2');
    await again.fill('input[name=password]', 'another-password-1');
    await again.fill('input[name=repeat]', 'another-password-1');
    await again.click('button[type=submit]');
    await again.waitForSelector('[role=alert]');
    const users = await server.api<{ username: string }[]>('/api/users');
    assert.deepEqual(
      users.map((u) => u.username).filter((u) => u.startsWith('lei')),
      ['lei'],
    );
    await other.close();
    await guest.close();
    await admin.close();
  });

  test('admins register an agent on the Agents page and read the audit log with filters', async () => {
    const admin = await newContext(browser);
    const page = await admin.newPage();
    await signIn(page, server.url, server.username, server.password);
    await page.click('a[href="/admin/agents"]');
    await page.fill('[data-testid=register-agent] input[name=agentName]', 'builder-7');
    await page.click('[data-testid=register-agent] button[type=submit]');
    await page.waitForSelector('[data-testid=agent-builder-7]');
    const command = await page.inputValue('[data-testid=agents] input[readonly]');
    assert.match(command, /^slipway agent --server http:\/\/127\.0\.0\.1:\d+ --token \S+$/);
    await screenshot(page, 'agents-en-1440');

    await page.click('a[href="/admin/audit"]');
    await page.waitForSelector('[data-testid=audit-row]');
    await page.fill('[data-testid=audit] input[name=action]', 'user.create');
    await page.click('[data-testid=audit] button[type=submit]');
    // Some rows and only filtered ones: an empty list while the filtered page loads is not it.
    await page.waitForFunction(() => {
      const codes = [...document.querySelectorAll('[data-testid=audit-row] code')];
      return codes.length > 0 && codes.every((c) => c.textContent === 'user.create');
    });
    const targets = await page.$$eval('[data-testid=audit-row] td:nth-child(4)', (tds) =>
      tds.map((td) => td.textContent),
    );
    assert.ok(targets.includes('rosa'), `rosa's creation is logged: ${targets.join(', ')}`);
    await admin.close();
  });
});
