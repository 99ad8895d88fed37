/**
 * A page that cannot be drawn never leaves a blank tab (web/src/app/PageErrorBoundary.tsx), in
 * real Chromium against the real server: a page part a newer build no longer has (its chunk
 * answers 404, as after an upgrade of Slipway) reloads the tab once, then says so in the reader's
 * language; a page that throws while rendering says what went wrong and keeps the header and the
 * project's tabs, and going to another tab clears it. And when the UI's own files do not arrive
 * before the app starts (web/public/boot-guard.js), the tab reloads itself a few times, then says
 * so with a button to try again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Route } from 'playwright-core';
import { newContext, onPage, WAIT_MS } from '../support/browser.js';
import { signedInPage, startUiWithBrowser, type UiWithBrowser } from '../support/ui-run.js';

const PROJECT = 'page-errors';

describe('pages that fail to draw (Chromium)', { timeout: 300_000 }, () => {
  let ui: UiWithBrowser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ui = await startUiWithBrowser();
    await ui.server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
    });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await ui?.close();
  });

  test('a page part missing from the server reloads the tab once, then says Slipway was updated', async () => {
    const { context, page } = await signedInPage(ui, { locale: 'zh-CN' });
    contexts.push(context);
    await page.selectOption('select[data-testid=lang]', 'zh-CN');
    let loads = 0;
    page.on('load', () => {
      loads += 1;
    });
    const gone = async (route: Route) => {
      await route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
    };
    await page.route('**/assets/ApplicationsPage-*.js', gone);
    await page.goto(`${ui.server.url}/projects/${PROJECT}/apps`);
    // The first load shows the note for a moment, then reloads: wait for the second load.
    const deadline = Date.now() + WAIT_MS;
    while (loads < 2) {
      assert.ok(Date.now() < deadline, `the tab did not reload itself (loads: ${loads})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await onPage(page, async () => {
      const note = page.locator('[data-testid=page-error]');
      await note.waitFor();
      assert.match((await note.textContent()) ?? '', /Slipway 已更新/);
      // The header and the project's tabs are still there: only the tab's panel failed.
      await page.locator('[data-testid=tab-records]').waitFor();
      await page.locator('select[data-testid=lang]').waitFor();
    });
    // One automatic reload, not a loop: a loop would have reloaded again within this second.
    await page.waitForTimeout(1000);
    assert.equal(loads, 2);
    assert.match((await page.locator('[data-testid=page-error]').textContent()) ?? '', /Slipway 已更新/);
    // The part is back (the new build is served): the reload button shows the page.
    await page.unroute('**/assets/ApplicationsPage-*.js', gone);
    await page.click('[data-testid=page-error] button');
    await onPage(page, () => page.locator('[data-testid=applications-page]').waitFor());
    assert.equal(await page.locator('[data-testid=page-error]').count(), 0);
  });

  test('a page that throws while rendering says what went wrong; another tab clears it', async () => {
    const { context, page } = await signedInPage(ui);
    contexts.push(context);
    await page.selectOption('select[data-testid=lang]', 'en');
    // An answer of the wrong shape (an application without environments) breaks the page.
    await page.route(`**/api/projects/${PROJECT}/applications`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: '{"applications":[{"name":"web"}]}',
      }),
    );
    await page.goto(`${ui.server.url}/projects/${PROJECT}/apps`);
    await onPage(page, async () => {
      const note = page.locator('[data-testid=page-error]');
      await note.waitFor();
      const text = (await note.textContent()) ?? '';
      assert.match(text, /This page could not be shown\./);
      assert.match(text, /What went wrong: .+/);
      await page.locator('[data-testid=project-name]').waitFor();
    });
    await page.click('[data-testid=tab-images]');
    await onPage(page, async () => {
      await page.locator('[data-testid=tab-images][aria-current=page]').waitFor();
      await page.locator('[data-testid=page-error]').waitFor({ state: 'detached' });
      await page.locator('.tab-panel :is(p, table, section)').first().waitFor();
    });
  });

  test("the UI's files failing to arrive reload the tab; when they never come, it says so", async () => {
    const context = await newContext(ui.browser, { locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    let loads = 0;
    page.on('load', () => {
      loads += 1;
    });
    const waitForLoads = async (count: number) => {
      const deadline = Date.now() + WAIT_MS;
      while (loads < count) {
        assert.ok(Date.now() < deadline, `the tab did not reload itself (loads: ${loads} of ${count})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    // Routing turns the HTTP cache off, so every load asks for the entry script again.
    const ENTRY = '**/assets/index-*.js';

    // One dropped answer (as when Chromium fails requests in flight on a network change): the
    // tab reloads by itself and the sign-in page comes.
    let dropped = 0;
    await page.route(ENTRY, async (route) => {
      if (dropped === 0) {
        dropped += 1;
        await route.abort('failed');
      } else await route.continue();
    });
    await page.goto(ui.server.url);
    await waitForLoads(2);
    await onPage(page, () => page.locator('input[name="username"]').waitFor());
    assert.equal(dropped, 1);
    await page.unrouteAll();

    // The files never come: three reloads, then a note in the reader's language, and no loop.
    let refused = 0;
    const refuse = async (route: Route) => {
      refused += 1;
      await route.abort('failed');
    };
    await page.route(ENTRY, refuse);
    loads = 0;
    await page.goto(ui.server.url);
    await waitForLoads(4);
    const note = page.locator('[data-testid=boot-error]');
    await onPage(page, () => note.waitFor());
    assert.match((await note.textContent()) ?? '', /无法加载 Slipway/);
    await page.waitForTimeout(1500);
    assert.equal(loads, 4, 'no reload after the note');
    assert.equal(refused, 4);

    // The files are back: the note's button brings the app.
    await page.unroute(ENTRY, refuse);
    await page.click('[data-testid=boot-error] button');
    await onPage(page, () => page.locator('input[name="username"]').waitFor());
  });

  test('a signed-in reader whose "who am I" request is dropped or answered by a gateway stays signed in', async () => {
    const { context, page } = await signedInPage(ui);
    contexts.push(context);
    let dropped = 0;
    await page.route('**/api/me', async (route) => {
      dropped += 1;
      // A gateway's answer while Slipway restarts, then no answer at all, then Slipway's.
      if (dropped === 1) await route.fulfill({ status: 502, body: 'Bad Gateway' });
      else if (dropped === 2) await route.abort('failed');
      else await route.continue();
    });
    await page.goto(`${ui.server.url}/projects/${PROJECT}`);
    await onPage(page, () => page.locator('[data-testid=project-name]').waitFor());
    assert.equal(dropped, 3);
    assert.equal(await page.locator('input[name="password"]').count(), 0, 'no sign-in form');
  });
});
