/**
 * The "Import from …" dialog in a real browser against the real product: paste a GitLab file,
 * see the translated file and the report (English, then Chinese), nothing stored in the project.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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

const PROJECT = 'import-ui';
const GITLAB =
  'image: node:20\ntest:\n  script:\n    - npm test\ndeploy:\n  script: ./deploy\n  resource_group: prod\n';

describe('"Import from …" dialog in a real browser', { timeout: 300_000 }, () => {
  let server: UiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    await ensureWebBuilt();
    server = await startUiServer();
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
      headers: { 'content-type': 'application/json' },
    });
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('paste, translate, read the report in both languages; the project is unchanged', async () => {
    await signIn(page, server.url, 'admin', server.password);
    await page.goto(`${server.url}/projects/${PROJECT}/pipeline`);
    await onPage(page, () => page.locator('[data-testid=import-open]').click());
    await page.fill('[data-testid=import-text]', GITLAB);
    await page.click('[data-testid=import-translate]');
    await onPage(page, () => page.locator('[data-testid=import-yaml]').waitFor());
    const yaml = (await page.locator('[data-testid=import-yaml]').textContent()) ?? '';
    assert.match(yaml, /image: node:20/);
    assert.match(yaml, /- npm test/);
    const untranslatable = page.locator('[data-testid=import-report] tr[data-outcome=untranslatable]');
    assert.equal(await untranslatable.count(), 1);
    assert.match(
      (await untranslatable.textContent()) ?? '',
      /\.gitlab-ci\.yml:7.*resource_group.*no Slipway equivalent/,
    );
    await screenshot(page, 'en-pipeline-import');

    await page.keyboard.press('Escape');
    await page.selectOption('[data-testid=lang]', 'zh-CN');
    await page.locator('[data-testid=import-open]').click();
    await page.fill('[data-testid=import-text]', GITLAB);
    await page.click('[data-testid=import-translate]');
    await onPage(page, () => page.locator('[data-testid=import-summary]').waitFor());
    assert.match((await page.locator('[data-testid=import-summary]').textContent()) ?? '', /无法转换 1/);
    assert.match((await untranslatable.textContent()) ?? '', /在 Slipway 中没有对应项/);
    await screenshot(page, 'zh-pipeline-import');

    const runs = await server.api<{ runs: unknown[] }>(`/api/projects/${PROJECT}/runs?limit=1`);
    assert.deepEqual(runs.runs, [], 'nothing was committed or run');
  });
});
