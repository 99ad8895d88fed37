/**
 * Applications created and edited in the browser (issue #14): a maintainer creates an
 * application with its first environment through the form, edits ports, variables and approval,
 * sees a value the server refuses next to the form with everything typed still there, adds and
 * deletes environments and the application after a confirmation naming them — in English and
 * Chinese, at 1280 and 390 px. The saved configuration is read back through the API. No Docker
 * needed: nothing is deployed (embedded agent off).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ApplicationJson } from '../../src/api/releases.js';
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

const PROJECT = 'appsui-forms';
const SECRET_VALUE = 'appsui-secret-value-1';

let server: UiServer;
let browser: Browser;

function application(name: string): Promise<ApplicationJson> {
  return server.api<ApplicationJson>(`/api/projects/${PROJECT}/applications/${name}`);
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(scrolls, false, 'no horizontal scrolling at 390 px');
}

describe('applications form in the browser', () => {
  before(async () => {
    await ensureWebBuilt();
    server = await startUiServer({ SLIPWAY_EMBEDDED_AGENT: 'false' });
    browser = await launchChromium();
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('create, edit, refuse a bad value, add and delete environments, delete the application (en + zh)', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, server.url, server.username, server.password);
    await page.goto(`${server.url}/projects/${PROJECT}/apps`);

    await onPage(page, async () => {
      await page.click('[data-testid=new-application]');
      const form = page.locator('[data-testid=application-form]');
      await form.locator('input[name=appName]').fill('shop');
      await form.locator('input[name=envName]').fill('staging');
      await form.locator('input[name=repository]').fill('registry.example.com/team/shop');
      await form.locator('input[name=replicas]').fill('2');
      await form.locator('[data-testid=add-port]').click();
      await form.locator('input[name=port-published-0]').fill('18080');
      await form.locator('input[name=port-target-0]').fill('80');
      await form.locator('input[name=health][value=http]').check();
      await form.locator('input[name=health-path]').fill('/healthz');
      await form.locator('input[name=health-port]').fill('80');
      await form.locator('input[name=health-interval]').fill('5');
      await form.locator('[data-testid=add-variables]').click();
      await form.locator('input[name=variables-key-0]').fill('LOG_LEVEL');
      await form.locator('input[name=variables-value-0]').fill('info');
      await form.locator('[data-testid=add-secrets]').click();
      await form.locator('input[name=secrets-key-0]').fill('DB_PASSWORD');
      await form.locator('input[name=secrets-value-0]').fill(SECRET_VALUE);
      await form.locator('input[name=autoRelease]').fill('main, release/.*');
      await form.locator('input[name=memoryMb]').fill('256');
      await screenshot(page, 'applications-form-new-en-1280');
      await form.locator('[data-testid=application-form-save]').click();
      await page.locator('[data-testid=env-shop-staging]').waitFor();
    });

    let shop = await application('shop');
    const staging = shop.environments[0];
    assert.ok(staging);
    assert.equal(staging.name, 'staging');
    assert.equal(staging.target, 'docker');
    assert.equal(staging.config.repository, 'registry.example.com/team/shop');
    assert.equal(staging.config.replicas, 2);
    assert.deepEqual(staging.config.ports, [{ published: 18080, target: 80 }]);
    assert.deepEqual(staging.config.healthcheck?.http, { path: '/healthz', port: 80 });
    assert.equal(staging.config.healthcheck?.intervalMs, 5000);
    assert.deepEqual(staging.config.variables, { LOG_LEVEL: 'info' });
    assert.deepEqual(staging.config.secrets, ['DB_PASSWORD']);
    assert.deepEqual(staging.autoRelease?.branches, ['main', 'release/.*']);
    assert.equal(staging.config.resources.memoryMb, 256);
    assert.equal(staging.requiresApproval, false);
    const secrets = await server.api<{ name: string }[]>(`/api/projects/${PROJECT}/secrets`);
    assert.ok(
      secrets.some((s) => s.name === 'DB_PASSWORD'),
      'the typed secret value was saved as a project secret',
    );

    // Edit: another published port, one more variable, approval required.
    await onPage(page, async () => {
      await page.click('[data-testid=edit-env-shop-staging]');
      const form = page.locator('[data-testid=env-form-shop]');
      assert.equal(
        await form.locator('input[name=secrets-value-0]').inputValue(),
        '',
        'secret values never come back',
      );
      await form.locator('input[name=port-published-0]').fill('18081');
      await form.locator('[data-testid=add-port]').click();
      await form.locator('input[name=port-published-1]').fill('19090');
      await form.locator('input[name=port-target-1]').fill('9090');
      await form.locator('[data-testid=add-variables]').click();
      await form.locator('input[name=variables-key-1]').fill('FEATURE_X');
      await form.locator('input[name=variables-value-1]').fill('on');
      await form.locator('input[name=requiresApproval]').check();
      await form.locator('[data-testid=env-form-save]').click();
      await form.waitFor({ state: 'detached' });
    });
    shop = await application('shop');
    const edited = shop.environments[0];
    assert.ok(edited);
    assert.deepEqual(edited.config.ports, [
      { published: 18081, target: 80 },
      { published: 19090, target: 9090 },
    ]);
    assert.deepEqual(edited.config.variables, { LOG_LEVEL: 'info', FEATURE_X: 'on' });
    assert.equal(edited.requiresApproval, true);
    assert.deepEqual(edited.config.healthcheck?.http, { path: '/healthz', port: 80 }, 'untouched parts stay');
    assert.ok(!(await page.content()).includes(SECRET_VALUE), 'the secret value is never on the page');

    // A port the server refuses: its message next to the ports, everything typed still there.
    await onPage(page, async () => {
      await page.click('[data-testid=edit-env-shop-staging]');
      const form = page.locator('[data-testid=env-form-shop]');
      await form.locator('input[name=port-published-1]').fill('70000');
      await form.locator('input[name=variables-value-1]').fill('off');
      await form.locator('[data-testid=env-form-save]').click();
      await form.locator('[data-testid=form-error]').waitFor();
      assert.match(
        (await form.locator('[data-testid=form-error]').textContent()) ?? '',
        /ports\.1\.published/,
      );
      await form.locator('fieldset[data-field=ports] [data-testid=field-error]').waitFor();
      assert.equal(await form.locator('input[name=port-published-1]').inputValue(), '70000');
      assert.equal(await form.locator('input[name=variables-value-1]').inputValue(), 'off');
      assert.equal(await form.locator('input[name=requiresApproval]').isChecked(), true);
      await screenshot(page, 'applications-form-error-en-1280');
      await form.getByRole('button', { name: 'Cancel' }).click();
    });
    assert.deepEqual((await application('shop')).environments[0]?.config.variables.FEATURE_X, 'on');

    // Add a production environment, then delete it after a confirmation naming it.
    await onPage(page, async () => {
      await page.click('[data-testid=add-env-shop]');
      const form = page.locator('[data-testid=env-form-shop]');
      await form.locator('input[name=envName]').fill('production');
      await form.locator('select[name=target]').selectOption('swarm');
      await form.locator('input[name=production]').check();
      await form.locator('[data-testid=env-form-save]').click();
      await page.locator('[data-testid=env-shop-production]').waitFor();
    });
    shop = await application('shop');
    const production = shop.environments.find((e) => e.name === 'production');
    assert.equal(production?.target, 'swarm');
    assert.equal(production?.production, true);
    await onPage(page, async () => {
      await page.click('[data-testid=delete-env-shop-production]');
      const confirm = page.locator('[data-testid=delete-env-shop-production-confirm]');
      assert.match((await confirm.textContent()) ?? '', /"production" of application "shop"/);
      await page.click('[data-testid=delete-env-shop-production-yes]');
      await page.locator('[data-testid=env-shop-production]').waitFor({ state: 'detached' });
    });
    assert.deepEqual(
      (await application('shop')).environments.map((e) => e.name),
      ['staging'],
    );

    // In Chinese: the same controls, and the deletes name what goes.
    await onPage(page, async () => {
      await page.selectOption('[data-testid=lang]', 'zh-CN');
      await page.getByRole('button', { name: '新建应用' }).waitFor();
      await page.getByRole('button', { name: '编辑' }).click();
      const form = page.locator('[data-testid=env-form-shop]');
      await form.getByText('发布需要审批').waitFor();
      await form.locator('input[name=replicas]').fill('abc');
      await form.locator('[data-testid=env-form-save]').click();
      await form
        .locator('fieldset[data-field=target] [data-testid=field-error]', { hasText: '服务器拒绝了这一部分' })
        .waitFor();
      assert.equal(await form.locator('input[name=replicas]').inputValue(), 'abc');
      await screenshot(page, 'applications-form-error-zh-1280');
      await form.getByRole('button', { name: '取消' }).click();
      await page.getByRole('button', { name: '删除环境' }).click();
      const confirm = page.locator('[data-testid=delete-env-shop-staging-confirm]');
      assert.match((await confirm.textContent()) ?? '', /删除应用“shop”的环境“staging”/);
      await screenshot(page, 'applications-form-delete-zh-1280');
      await page.click('[data-testid=delete-env-shop-staging-yes]');
      await page.locator('[data-testid=env-shop-staging]').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: '删除应用' }).click();
      assert.match(
        (await page.locator('[data-testid=delete-app-shop-confirm]').textContent()) ?? '',
        /删除应用“shop”/,
      );
      await page.click('[data-testid=delete-app-shop-yes]');
      await page.locator('[data-testid=application-shop]').waitFor({ state: 'detached' });
    });
    await assert.rejects(application('shop'), /404|not_found|no application/);
    await context.close();
  });

  test('the forms fit a 390 px phone without horizontal scrolling (en + zh)', async () => {
    await server.api(`/api/projects/${PROJECT}/applications`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'narrow',
        environments: [{ name: 'staging', config: { ports: [{ published: 18111, target: 80 }] } }],
      }),
    });
    for (const lang of ['en', 'zh-CN'] as const) {
      const context = await newContext(browser, { width: 390, height: 844 });
      const page = await context.newPage();
      await signIn(page, server.url, server.username, server.password);
      if (lang === 'zh-CN') await page.selectOption('[data-testid=lang]', 'zh-CN');
      await page.goto(`${server.url}/projects/${PROJECT}/apps`);
      await onPage(page, async () => {
        await page.click('[data-testid=edit-env-narrow-staging]');
        const form = page.locator('[data-testid=env-form-narrow]');
        await form.locator('input[name=health][value=command]').check();
        await form.locator('[data-testid=add-variables]').click();
        await form.locator('[data-testid=add-secrets]').click();
        await noHorizontalScroll(page);
        await screenshot(page, `applications-form-edit-${lang}-390`);
        await page.click('[data-testid=new-application]');
        await page.locator('[data-testid=application-form]').waitFor();
        await noHorizontalScroll(page);
        await screenshot(page, `applications-form-new-${lang}-390`);
      });
      await context.close();
    }
  });
});
