/**
 * "Deploy this version" on the Images tab, in a real browser against the real product: a build
 * job records a (local, unpushed) image; the button opens a dialog choosing application and
 * environment; submitting releases that image by its id and lands on the release run, which the
 * embedded agent executes on the real engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { removeRepository } from '../images/build-support.js';
import {
  launchChromium,
  newContext,
  onPage,
  screenshot,
  signIn,
  startUiServer,
  type UiServer,
  WAIT_MS,
} from '../support/browser.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { until } from '../support/wait.js';
import { ensureWebBuilt } from '../support/web-build.js';

/** An image build and a release on Docker beside a browser: a loaded machine needs minutes. */
const POLL = { timeoutMs: 120_000, intervalMs: 250 };

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const PROJECT = `imgdeploy${Date.now().toString(36)}`;
const REPOSITORY = `slipway-test-build/${PROJECT}`;

let server: UiServer;
let browser: Browser;
let page: Page;

interface Release {
  number: number;
  status: string;
  image: string | null;
  releaseRun: number | null;
}

describe('Images tab: Deploy this version', { timeout: 300_000 }, () => {
  before(async () => {
    const [base] = await Promise.all([ensureBusyboxImage(docker), ensureWebBuilt()]);
    server = await startUiServer();
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
    });
    await server.api(`/api/projects/${PROJECT}/applications`, {
      method: 'POST',
      body: JSON.stringify({ name: 'web', environments: [{ name: 'dev' }, { name: 'staging' }] }),
    });
    await server.push(
      PROJECT,
      `version: 1\nstages:\n  - name: build\n    jobs:\n      image:\n        build: { image: ${REPOSITORY} }\n`,
      'main',
      { Dockerfile: `FROM ${base}\nCMD ["sleep", "600"]\n` },
    );
    const run = await until(
      'the build run',
      async () => {
        const r = await server
          .api<{ status: string }>(`/api/projects/${PROJECT}/runs/1`)
          .catch(() => undefined);
        return r && ['succeeded', 'failed', 'canceled'].includes(r.status) ? r : undefined;
      },
      POLL,
    );
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    browser = await launchChromium();
    page = await (await newContext(browser)).newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    const target = new DockerTarget({ docker });
    for (const env of ['dev', 'staging'])
      await target.remove({ project: PROJECT, app: 'web', env }).catch(() => {});
    await removeRepository(docker, REPOSITORY);
  });

  test('pick application and environment, deploy the image by id, land on the release run', async () => {
    const images = await server.api<{ repositories: { tags: { imageId: string }[] }[] }>(
      `/api/projects/${PROJECT}/images`,
    );
    const imageId = images.repositories[0]?.tags[0]?.imageId ?? '';
    assert.match(imageId, /^sha256:/);

    await signIn(page, server.url, server.username, server.password);
    await page.goto(`${server.url}/projects/${PROJECT}/images`);
    await onPage(page, async () => {
      await page.click('[data-testid=deploy-version]');
      await page.waitForSelector('[data-testid=deploy-image-dialog][open]');
      // Not pushed: the dialog deploys the image id, shown before anyone clicks.
      assert.equal(await page.textContent('[data-testid=deploy-image-ref]'), imageId);
      assert.equal(await page.inputValue('[data-testid=deploy-image-app]'), 'web');
      await page.selectOption('[data-testid=deploy-image-env]', 'staging');
      await screenshot(page, 'images-deploy-dialog');
      await page.click('[data-testid=deploy-image-submit]');
      await page.waitForURL(new RegExp(`/projects/${PROJECT}/runs/2$`), { timeout: WAIT_MS });
    });

    const release = await until(
      'the release to end',
      async () => {
        const { releases } = await server.api<{ releases: Release[] }>(
          `/api/projects/${PROJECT}/applications/web/releases?env=staging`,
        );
        const r = releases[0];
        return r && !['queued', 'running'].includes(r.status) ? r : undefined;
      },
      POLL,
    );
    assert.deepEqual([release.status, release.image, release.releaseRun], ['succeeded', imageId, 2]);
  });
});
