/**
 * Issue #14 in Chromium on the whole product (server, embedded agent, Docker): a version whose
 * health check always fails is rolled back, and the release history in zh-CN says why in
 * Chinese, from the release's code and parameters (the health check's own output kept as it
 * is). No raw key and no English reason on the page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { Browser } from 'playwright-core';
import { freePort } from '../deploy/deploy-support.js';
import {
  launchChromium,
  newContext,
  onPage,
  screenshot,
  signIn,
  startUiServer,
  type UiServer,
} from '../support/browser.js';
import { ensureHttpServiceImage, HTTP_SERVICE_PORT } from '../support/http-service-image.js';
import { ensureWebBuilt } from '../support/web-build.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const PROJECT = `rsnui${Date.now().toString(36)}`;
const APP = 'web';
const ENV = 'staging';

describe('release history reasons in zh-CN (Chromium)', { timeout: 400_000 }, () => {
  let server: UiServer;
  let browser: Browser;
  before(async () => {
    await ensureWebBuilt();
    server = await startUiServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    // What the embedded agent left running for this project (containers and the network).
    const left = await docker.listContainers({ all: true, filters: { name: [`slipway-${PROJECT}-`] } });
    for (const c of left)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    const nets = await docker.listNetworks({ filters: { name: [`slipway-${PROJECT}-`] } });
    for (const n of nets)
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {});
  });

  async function deployAndWait(
    image: string,
  ): Promise<{ number: number; status: string; reasonCode?: string }> {
    const base = `/api/projects/${PROJECT}/applications/${APP}`;
    const { number } = await server.api<{ number: number }>(`${base}/environments/${ENV}/deploy`, {
      method: 'POST',
      body: JSON.stringify({ image }),
    });
    for (let i = 0; i < 1200; i++) {
      const { releases } = await server.api<{
        releases: { number: number; status: string; reasonCode?: string }[];
      }>(`${base}/releases?env=${ENV}`);
      const r = releases.find((x) => x.number === number);
      if (r && ['succeeded', 'failed', 'rolled_back', 'canceled'].includes(r.status)) return r;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`release #${number} did not end`);
  }

  test("a rolled-back release's reason is in Chinese", async () => {
    const v1 = await ensureHttpServiceImage(docker, 'v1');
    const broken = await ensureHttpServiceImage(docker, 'v3-broken');
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, visibility: 'internal', source: { kind: 'builtin' } }),
    });
    const port = await freePort();
    await server.api(`/api/projects/${PROJECT}/applications`, {
      method: 'POST',
      body: JSON.stringify({
        name: APP,
        environments: [
          {
            name: ENV,
            target: 'docker',
            config: {
              ports: [{ published: port, target: HTTP_SERVICE_PORT }],
              healthcheck: {
                http: { path: '/health', port: HTTP_SERVICE_PORT },
                intervalMs: 500,
                retries: 3,
              },
            },
          },
        ],
      }),
    });
    assert.equal((await deployAndWait(v1.tag)).status, 'succeeded');
    const bad = await deployAndWait(broken.tag);
    assert.equal(bad.status, 'rolled_back');
    assert.ok(bad.reasonCode === 'container_unhealthy' || bad.reasonCode === 'not_healthy_in_time');

    const context = await newContext(browser, { locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, server.url, 'admin', server.password);
    await onPage(page, async () => {
      await page.goto(`${server.url}/projects/${PROJECT}/apps`);
      const reason = page.locator(`[data-testid=release-reason-${APP}-${bad.number}]`);
      await reason.waitFor();
      const text = (await reason.textContent())?.trim() ?? '';
      assert.match(text, /^容器 slipway-\S+ (连续 \d+ 次健康检查失败|在 \d+ 秒内未变为健康)/, text);
      assert.match(text, /404/, 'the health check output is kept as it is');
      const status = page.locator(`[data-testid=release-status-${APP}-${bad.number}]`);
      assert.match((await status.textContent()) ?? '', /已回滚/);
      assert.match((await status.getAttribute('title')) ?? '', /^容器/);
      await screenshot(page, 'release-reasons-zh');
      const body = (await page.locator('main').textContent()) ?? '';
      assert.doesNotMatch(body, /release\.(why|reason)\.[a-z_]+/, 'no raw key on the page');
      assert.doesNotMatch(
        body,
        /is unhealthy after|did not become healthy/,
        'no English reason in the page text',
      );
    });
    await context.close();
  });
});
