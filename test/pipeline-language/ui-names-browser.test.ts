/**
 * Names in any language in the web UI (real Chromium, real server, embedded agent on Docker):
 * a pushed pipeline with Chinese stage and job names, a matrix and an include shows those names
 * on the run page, the selected job is in the page URL and its log is fetched from a URL with
 * the name percent-encoded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
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
import { ensureBusyboxImage } from '../support/test-images.js';
import { ensureWebBuilt } from '../support/web-build.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const PROJECT = 'lang-names';
const MATRIX_JOB = '单元测试 [node=20]';

let server: UiServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

describe('web UI: names in any language', { timeout: 300_000 }, () => {
  before(async () => {
    const [image] = await Promise.all([ensureBusyboxImage(docker), ensureWebBuilt()]);
    server = await startUiServer();
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
    });
    const config = `version: 1\nimage: ${image}\ninclude: ci/test.yml\nstages:\n  - name: 构建\n    jobs:\n      编译: { script: echo 编译完成 }\n`;
    const test = `stages:\n  - name: 测试\n    jobs:\n      单元测试:\n        matrix: { node: [18, 20] }\n        script: echo "版本 $node"\n`;
    await server.push(PROJECT, config, 'main', { 'ci/test.yml': test });
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('the run page shows the names, selects a job by its name and loads its log', async () => {
    await signIn(page, server.url, 'admin', server.password);
    const logRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/logs')) logRequests.push(r.url());
    });
    await page.goto(`${server.url}/projects/${PROJECT}/runs/1`);
    const card = page.locator(`[data-testid=job-card][data-job="${MATRIX_JOB}"]`);
    await onPage(page, () => card.waitFor());
    for (const name of ['编译', '单元测试 [node=18]']) {
      await page.locator(`[data-testid=job-card][data-job="${name}"]`).waitFor();
    }
    assert.match((await page.textContent('body')) ?? '', /构建[\s\S]*测试/);
    await card.locator('button.job-select').click();
    await onPage(page, () =>
      page.locator('[data-testid=log-line]', { hasText: '版本 20' }).first().waitFor(),
    );
    assert.equal(new URL(page.url()).searchParams.get('job'), MATRIX_JOB);
    assert.ok(
      logRequests.some((u) => u.includes(`/jobs/${encodeURIComponent(MATRIX_JOB)}/logs`)),
      logRequests.join('\n'),
    );
    await screenshot(page, 'lang-cjk-run');

    // The address with the name in it opens the same job after a reload.
    await page.reload();
    await onPage(page, () =>
      page.locator('[data-testid=log-line]', { hasText: '版本 20' }).first().waitFor(),
    );
  });
});
