/**
 * The applications page in a real browser, against `slipway server` with its embedded agent on
 * the real engine: deploy the HTTP service to staging from the page, see a tag-only promotion
 * into the approval-gated production refused, deploy there and approve — real releases throughout.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Dockerode from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { freePort, get } from '../deploy/deploy-support.js';
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

const docker = new Dockerode();
const project = `ui${Date.now().toString(36)}`;
let ui: UiServer;
let browser: Browser;

before(async () => {
  await ensureWebBuilt();
  ui = await startUiServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await ui?.stop();
  const target = new DockerTarget({ docker });
  for (const env of ['staging', 'production'])
    await target.remove({ project, app: 'web', env }).catch(() => {});
});

/**
 * A release is queued until the embedded agent takes it: on a loaded machine (the agent busy with
 * other jobs) that alone can take longer than a page wait, so waits for a release's outcome get
 * the bound runs get elsewhere.
 */
const RELEASE_END_MS = 120_000;

/** Waits (bounded) until the element's text matches; a timeout says what it showed instead. */
async function waitText(page: Page, testid: string, pattern: RegExp, timeout?: number): Promise<void> {
  try {
    await page.waitForFunction(
      ([id, source]) =>
        new RegExp(source as string).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''),
      [testid, pattern.source],
      timeout === undefined ? undefined : { timeout },
    );
  } catch (error) {
    const shown = await page
      .locator(`[data-testid="${testid}"]`)
      .first()
      .textContent({ timeout: 2000 })
      .catch(() => null);
    throw new Error(
      `${testid} never matched ${pattern} (shows ${JSON.stringify(shown)}): ${(error as Error).message}`,
    );
  }
}

test('deploy, a refused promotion, and an approval from the applications page', async () => {
  const v1 = await ensureHttpServiceImage(docker, 'v1');
  const [stagingPort, prodPort] = [await freePort(), await freePort()];
  await ui.api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({ name: project, source: { kind: 'builtin' } }),
  });
  const healthcheck = { http: { path: '/health', port: HTTP_SERVICE_PORT }, intervalMs: 500, retries: 5 };
  await ui.api(`/api/projects/${project}/applications`, {
    method: 'POST',
    body: JSON.stringify({
      name: 'web',
      environments: [
        {
          name: 'staging',
          config: { ports: [{ published: stagingPort, target: HTTP_SERVICE_PORT }], healthcheck },
        },
        {
          name: 'production',
          requiresApproval: true,
          config: { ports: [{ published: prodPort, target: HTTP_SERVICE_PORT }], healthcheck, replicas: 2 },
        },
      ],
    }),
  });
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, ui.url, ui.username, ui.password);
  // The language picker is on the sign-in page too: wait until the sign-in form is gone.
  await page.waitForSelector('input[name="password"]', { state: 'detached' });
  await page.goto(`${ui.url}/projects/${project}/apps`);
  await onPage(page, async () => {
    await page.waitForSelector('[data-testid="application-web"]');
    await waitText(page, 'health-web-staging', /not deployed/);
    await page.fill('[data-testid="deploy-image-web-staging"]', v1.tag);
    await page.click('[data-testid="deploy-web-staging"]');
    await waitText(page, 'health-web-staging', /^healthy$/, RELEASE_END_MS);
    await waitText(page, 'running-web-staging', /#1/);
    await waitText(page, 'release-status-web-1', /succeeded/);
  });
  assert.equal((await get(stagingPort, '/version')).body.trim(), 'v1');

  await onPage(page, async () => {
    // A tag is not a digest: promotion into the approval-gated production is refused, visibly (the
    // reason in words, from the answer's code and params).
    await page.click('[data-testid="promote-web-production"]');
    await page.waitForSelector('[data-testid="application-web"] [role="alert"]');
    const alert = await page.textContent('[data-testid="application-web"] [role="alert"]');
    assert.match(alert ?? '', /not an image pinned by digest/);
    // A manual release into production waits for an approval.
    await page.fill('[data-testid="deploy-image-web-production"]', v1.tag);
    await page.click('[data-testid="deploy-web-production"]');
    await page.waitForSelector('[data-testid="approve-web-production"]');
    await waitText(page, 'release-status-web-2', /awaiting approval/);
    await waitText(page, 'health-web-production', /awaiting approval/);
    await page.click('[data-testid="approve-web-production"]');
    await waitText(page, 'health-web-production', /^healthy$/, RELEASE_END_MS);
    await waitText(page, 'replicas-web-production', /replicas: 2/);
    // The containers' health is observed before the proxy switches to them; the release ends
    // after the switch, so that is when the port answers.
    await waitText(page, 'release-status-web-2', /succeeded/);
  });
  assert.equal((await get(prodPort, '/version')).body.trim(), 'v1');
  const link = await page.getAttribute('[data-testid="release-web-2"] a', 'href');
  assert.match(link ?? '', new RegExp(`/projects/${project}/runs/\\d+$`));
  await screenshot(page, 'applications-page');
  await context.close();
});
