/**
 * Public projects for visitors who are not signed in, in Chromium against a real `slipway server`
 * with its embedded agent on Docker (issue #14): with SLIPWAY_ALLOW_PUBLIC_PROJECTS on, a visitor
 * lists the public project, reads a finished run's log and tests, and sees no control that needs
 * a role; a private project's URL shows the sign-in form, and signing in as a member opens that
 * very page. With public projects off, a visitor sees the sign-in page and nothing else.
 * Screenshots (en + zh, 1440 and 390 px) go to test-artifacts/screenshots.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  launchChromium,
  onPage,
  screenshot,
  startUiServer,
  type UiServer,
  WAIT_MS,
} from '../support/browser.js';
import { rawKeysOn, scrollWidths } from '../support/page-checks.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { ensureWebBuilt } from '../support/web-build.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const OPEN = 'pubvis-open';
const HIDDEN = 'pubvis-hidden';
const MEMBER = { username: 'pubvis-mia', password: 'pubvis-mia-password-1' };
const MARKER = 'visible-to-visitors-42';

/** One job that prints a marker and reports two passing tests (the run page's tests tab). */
const pipeline = (image: string) => `version: 1
image: ${image}
stages:
  - name: test
    jobs:
      unit:
        script:
          - echo "${MARKER}"
          - mkdir -p reports
          - printf '<testsuites><testsuite name="s"><testcase classname="a" name="one"/><testcase classname="a" name="two"/></testsuite></testsuites>' > reports/junit.xml
        reports: { junit: reports/junit.xml }
`;

describe('public projects for visitors (Chromium)', { timeout: 900_000 }, () => {
  let server: UiServer;
  let closed: UiServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** A page of a fresh context with no session: a visitor. */
  async function visitor(opts: { width?: number; lang?: 'en' | 'zh-CN' } = {}): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1440, height: 900 },
      locale: opts.lang === 'zh-CN' ? 'zh-CN' : 'en-US',
    });
    context.setDefaultTimeout(WAIT_MS);
    contexts.push(context);
    return context.newPage();
  }

  /** Polls the API (bounded) until run 1 of the public project has finished. */
  async function waitForFinishedRun(): Promise<string> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const run = await server
        .api<{ status: string }>(`/api/projects/${OPEN}/runs/1`)
        .catch(() => ({ status: 'none' }));
      if (['succeeded', 'failed', 'error', 'canceled'].includes(run.status)) return run.status;
      assert.ok(Date.now() < deadline, `run #1 never finished: ${run.status}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  before(async () => {
    const [image] = await Promise.all([ensureBusyboxImage(docker), ensureWebBuilt()]);
    [server, closed] = await Promise.all([
      startUiServer({ SLIPWAY_ALLOW_PUBLIC_PROJECTS: 'true' }),
      startUiServer({ SLIPWAY_EMBEDDED_AGENT: 'false' }),
    ]);
    browser = await launchChromium();
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: OPEN, source: { kind: 'builtin' }, visibility: 'public' }),
    });
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: HIDDEN, source: { kind: 'builtin' } }),
    });
    await server.api('/api/users', {
      method: 'POST',
      body: JSON.stringify({ ...MEMBER, role: 'viewer' }),
    });
    await server.api(`/api/projects/${HIDDEN}/members/${MEMBER.username}`, {
      method: 'PUT',
      body: JSON.stringify({ role: 'viewer' }),
    });
    await server.api(`/api/projects/${OPEN}/applications`, {
      method: 'POST',
      body: JSON.stringify({ name: 'web', environments: [{ name: 'dev' }, { name: 'prod' }] }),
    });
    await server.push(OPEN, pipeline(image as string));
    assert.equal(await waitForFinishedRun(), 'succeeded');
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
    await closed?.stop();
  });

  test('a visitor lists the public project only, with a Sign in action in the header', async () => {
    const page = await visitor();
    await page.goto(`${server.url}/`);
    await onPage(page, async () => {
      await page.locator(`[data-testid=project-item][data-name="${OPEN}"]`).waitFor();
      const names = await page
        .locator('[data-testid=project-item]')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-name')));
      assert.deepEqual(names, [OPEN]);
      await page.locator('[data-testid=visitor-sign-in]').waitFor();
      assert.equal(await page.locator('[data-testid=new-project]').count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
      assert.equal(await page.locator('nav.topnav a[href^="/admin"]').count(), 0);
    });
  });

  test('a visitor reads the run page with its log and tests, and sees no control that needs a role', async () => {
    const page = await visitor();
    await page.goto(`${server.url}/projects/${OPEN}`);
    await onPage(page, async () => {
      await page.locator('[data-testid=project-header]').waitFor();
      await page.locator('tr[data-testid=record-row][data-number="1"]').waitFor();
      const tabs = await page
        .locator('nav.tabs a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('data-testid')));
      assert.ok(!tabs.includes('tab-settings'), `tabs: ${tabs.join(', ')}`);
      assert.ok(tabs.includes('tab-records') && tabs.includes('tab-pipeline'), `tabs: ${tabs.join(', ')}`);
      assert.equal(await page.locator('[data-testid=run-manually]').count(), 0);
    });
    await page.goto(`${server.url}/projects/${OPEN}/runs/1?job=unit`);
    await onPage(page, async () => {
      await page.locator('[data-testid=run-status][data-status=succeeded]').waitFor();
      await page.locator('[data-testid=log]', { hasText: MARKER }).waitFor();
      for (const control of ['cancel-run', 'rerun', 'resume-failed', 'play-job', 'run-manually']) {
        assert.equal(await page.locator(`[data-testid=${control}]`).count(), 0, control);
      }
      assert.deepEqual(await rawKeysOn(page), []);
    });
    // The tabs a visitor reads, each answered by the server (no error note, no sign-in form).
    for (const tab of ['pipeline', 'images', 'apps', 'insights']) {
      await page.goto(`${server.url}/projects/${OPEN}/${tab}`);
      await onPage(page, async () => {
        await page.locator(`[data-testid=tab-${tab}][aria-current=page]`).waitFor();
        await page.locator('.tab-panel .loading').waitFor({ state: 'detached' });
        assert.equal(await page.locator('[data-testid=signin-instead]').count(), 0, tab);
        assert.equal(await page.locator('.tab-panel [role=alert]').count(), 0, `${tab} shows an error`);
        assert.equal(await page.locator('[data-testid=new-application]').count(), 0);
        if (tab === 'apps') {
          // The application and its environments show; deploying, promoting, scaling, approving
          // and editing need a role in the project, so none of it is offered.
          await page.locator('[data-testid=env-web-prod]').waitFor();
          const actions = await page
            .locator('[data-testid=application-web]')
            .locator(
              '[data-testid^=deploy-], [data-testid^=promote-], [data-testid^=scale-], [data-testid^=approve-], [data-testid^=rollback-], [data-testid^=edit-env-], [data-testid^=add-env-]',
            )
            .count();
          assert.equal(actions, 0);
          assert.equal(await page.locator('[data-testid=application-web] .env-actions').count(), 0);
        }
        assert.deepEqual(await rawKeysOn(page), [], tab);
      });
    }
    // Settings of a public project still need an account: the sign-in form, never a blank page.
    await page.goto(`${server.url}/projects/${OPEN}/settings`);
    await page.locator('[data-testid=signin-instead]').waitFor();
  });

  test('a private project, an admin page and a new project ask a visitor to sign in; signing in opens that page', async () => {
    const page = await visitor();
    for (const path of ['/admin/users', '/projects/new', `/projects/${HIDDEN}/runs/1`]) {
      await page.goto(`${server.url}${path}`);
      await onPage(page, () => page.locator('[data-testid=signin-instead]').waitFor());
    }
    await page.goto(`${server.url}/projects/${HIDDEN}`);
    await onPage(page, async () => {
      await page.locator('[data-testid=signin-instead]').waitFor();
      await page.fill('[data-testid=signin-instead] input[name=username]', MEMBER.username);
      await page.fill('[data-testid=signin-instead] input[name=password]', 'not-the-password');
      await page.click('[data-testid=signin-instead] button[type=submit]');
      await page.locator('[data-testid=signin-instead] [role=alert]').waitFor();
      // The refused sign-in keeps what was typed.
      assert.equal(
        await page.inputValue('[data-testid=signin-instead] input[name=username]'),
        MEMBER.username,
      );
      await page.fill('[data-testid=signin-instead] input[name=password]', MEMBER.password);
      await page.click('[data-testid=signin-instead] button[type=submit]');
      await page.locator('[data-testid=project-name]', { hasText: HIDDEN }).waitFor();
      assert.equal(new URL(page.url()).pathname, `/projects/${HIDDEN}`);
      assert.equal(await page.locator('[data-testid=visitor-sign-in]').count(), 0);
    });
  });

  test('the header Sign in comes back to the page the visitor was on', async () => {
    const page = await visitor();
    await page.goto(`${server.url}/projects/${OPEN}/pipeline`);
    await onPage(page, async () => {
      await page.click('[data-testid=visitor-sign-in]');
      await page.fill('input[name=username]', MEMBER.username);
      await page.fill('input[name=password]', MEMBER.password);
      await page.click('button[type=submit]');
      await page.locator('[data-testid=tab-pipeline][aria-current=page]').waitFor();
      assert.equal(new URL(page.url()).pathname, `/projects/${OPEN}/pipeline`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    });
  });

  test('with public projects off a visitor sees the sign-in page only', async () => {
    const page = await visitor();
    for (const path of ['/', '/projects/anything', '/insights']) {
      await page.goto(`${closed.url}${path}`);
      await onPage(page, async () => {
        await page.locator('main.signin input[name=password]').waitFor();
        assert.equal(await page.locator('header.topbar').count(), 0, path);
        assert.equal(await page.locator('[data-testid=projects]').count(), 0, path);
      });
    }
  });

  test('screenshots of the visitor pages, en and zh, 1440 and 390 px: no raw keys, no sideways scrolling', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      for (const width of [1440, 390]) {
        const page = await visitor({ width, lang });
        const name = `public-visitor-${lang === 'en' ? 'en' : 'zh'}-${width}`;
        await page.goto(`${server.url}/`);
        await onPage(page, async () => {
          await page.selectOption('select[data-testid=lang]', lang);
          await page.locator(`[data-testid=project-item][data-name="${OPEN}"]`).waitFor();
          assert.deepEqual(await rawKeysOn(page), []);
          await screenshot(page, `${name}-projects`);
        });
        await page.goto(`${server.url}/projects/${OPEN}/runs/1?job=unit`);
        await onPage(page, async () => {
          await page.locator('[data-testid=log]', { hasText: MARKER }).waitFor();
          assert.deepEqual(await rawKeysOn(page), []);
          const widths = await scrollWidths(page);
          assert.ok(
            widths.doc <= widths.viewport + 1,
            `sideways scrolling at ${width}: ${JSON.stringify(widths)}`,
          );
          await screenshot(page, `${name}-run`);
        });
        await page.goto(`${server.url}/projects/${HIDDEN}`);
        await onPage(page, async () => {
          await page.locator('[data-testid=signin-instead]').waitFor();
          assert.deepEqual(await rawKeysOn(page), []);
          await screenshot(page, `${name}-signin`);
        });
      }
    }
  });
});
