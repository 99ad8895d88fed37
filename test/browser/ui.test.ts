/**
 * The web UI in a real browser (Debian chromium) against the real product: `slipway server`
 * with its embedded agent on the real Docker engine, repositories pushed over smart HTTP.
 * Issue #4's scenarios: sign in, create a project, push → the record appears and goes green
 * without a reload, live log lines, a manual run of a tag through the picker, cancel, a log line
 * of HTML that stays text, Chinese tabs, a 390 px phone. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { Browser, BrowserContext, Dialog, Page } from 'playwright-core';
import {
  launchChromium,
  newContext,
  onPage,
  screenshot,
  signIn,
  startTcpProxy,
  startUiServer,
  type UiServer,
  WAIT_MS,
} from '../support/browser.js';
import { git, type TempRepo } from '../support/cli.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { ensureWebBuilt } from '../support/web-build.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const PROJECT = 'ui-demo';
const XSS = '<img src=x onerror=alert(1)>';

let server: UiServer;
let browser: Browser;
let context: BrowserContext;
/** Stays on the records tab the whole time: it must follow every change without a reload. */
let records: Page;
/** Opens runs and their logs. */
let runs: Page;
const dialogs: string[] = [];
let repo: TempRepo;
let image = '';

const pipeline = (jobs: string) =>
  `version: 1\nimage: ${image}\nstages:\n  - name: build\n    jobs:\n${jobs}`;

/** A job that prints a line a second, then HTML and a red line (a few seconds of live log). */
const ticking = () =>
  pipeline(
    [
      '      build:',
      '        script:',
      '          - "for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 1; done"',
      `          - "echo '${XSS}'"`,
      `          - "printf '\\\\033[31mred text\\\\033[0m\\\\n'"`,
      '',
    ].join('\n'),
  );
const slow = () =>
  pipeline(['      wait:', '        script:', '          - "echo waiting; sleep 300"', ''].join('\n'));

const row = (page: Page, n: number) => page.locator(`tr[data-testid=record-row][data-number="${n}"]`);
/** The newest run number, from the API. */
const latestNumber = async () =>
  (await server.api<{ runs: { number: number }[] }>(`/api/projects/${PROJECT}/runs?limit=1`)).runs[0]
    ?.number ?? 0;
/** Waits for the records page to show the run after `previous` (without reload) and returns its number. */
const nextRow = async (page: Page, previous: number) => {
  await onPage(page, () => row(page, previous + 1).waitFor());
  return previous + 1;
};
const logLine = (page: Page, text: string) => page.locator('[data-testid=log-line]', { hasText: text });

describe('web UI in a real browser', { timeout: 420_000 }, () => {
  before(async () => {
    [image] = await Promise.all([ensureBusyboxImage(docker), ensureWebBuilt()]);
    // A 2 MB log cap: the 100k-line job stays under it, the 400k-line one is cut.
    server = await startUiServer({ SLIPWAY_LOG_MAX_BYTES: String(2_000_000) });
    browser = await launchChromium();
    context = await newContext(browser);
    records = await context.newPage();
    runs = await context.newPage();
    for (const page of [records, runs]) {
      // Any alert/confirm/prompt is recorded (and dismissed): the UI opens none, a log must not.
      page.on('dialog', (d: Dialog) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    }
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await repo?.cleanup();
    await server?.stop();
  });

  test('sign in and create a project', async () => {
    await signIn(records, server.url, 'admin', server.password);
    await screenshot(records, 'en-projects-empty');
    await records.goto(`${server.url}/projects/new`);
    await records.fill('input[name=name]', PROJECT);
    await records.check('input[name=source][value=builtin]');
    await records.click('button[type=submit]');
    await records.waitForSelector('[data-testid=push-instructions]');
    assert.match(
      (await records.locator('[data-testid=push-instructions]').textContent()) ?? '',
      /ui-demo\.git/,
    );
  });

  test('git push: the record appears and goes green without a reload, the log arrives live', async () => {
    await records.goto(`${server.url}/projects/${PROJECT}`);
    await records.waitForSelector('[data-testid=tab-records]');
    // A marker on the page's window: it survives only if the page is never reloaded.
    await records.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    repo = await server.push(PROJECT, ticking());
    await row(records, 1).waitFor();

    await runs.goto(`${server.url}/projects/${PROJECT}/runs/1?job=build`);
    await onPage(runs, () => runs.waitForSelector('[data-testid=log]'));
    // The first tick is shown while the job still runs (it prints for 8 s): the line came live.
    await logLine(runs, 'tick 1').waitFor();
    const statusAtFirstTick = await runs
      .locator('[data-testid=job-card][data-job=build]')
      .getAttribute('data-status');
    assert.equal(statusAtFirstTick, 'running');
    await logLine(runs, 'tick 8').waitFor();
    await runs.locator('[data-testid=job-card][data-job=build][data-status=succeeded]').waitFor();

    await records.locator('tr[data-testid=record-row][data-number="1"][data-status=succeeded]').waitFor();
    assert.equal(await records.evaluate(() => (window as unknown as { marker?: number }).marker), 42);
    await screenshot(records, 'en-records');
  });

  test('HTML in a log line is text: no element, no script, no dialog; colours are kept', async () => {
    await logLine(runs, XSS).first().waitFor();
    // The echoed command and its output both carry the string, both as text.
    assert.ok((await logLine(runs, XSS).count()) >= 2);
    assert.equal(await runs.locator('[data-testid=log] img').count(), 0);
    const red = runs.locator('[data-testid=log-line] .log-text > span', { hasText: /^red text$/ });
    assert.equal(await red.evaluate((el) => getComputedStyle(el).color), 'rgb(187, 0, 0)');
    assert.deepEqual(dialogs, []);
    await screenshot(runs, 'en-run-log');
  });

  test('log viewer: #L anchors, folding steps, search', async () => {
    await runs.goto(`${server.url}/projects/${PROJECT}/runs/1?job=build#L3`);
    await runs.locator('#L3.log-selected').waitFor();
    // Clicking a line number links to it.
    await runs.locator('#L5 a.log-n').click();
    await runs.locator('#L5.log-selected').waitFor();
    assert.match(runs.url(), /#L5$/);

    await runs.locator('[data-testid=log-fold]').first().click();
    await runs.waitForFunction(() => !document.body.textContent?.includes('tick 4'));
    assert.equal(await logLine(runs, 'tick 2').count(), 0);
    await runs.locator('[data-testid=log-fold]').first().click();
    await logLine(runs, 'tick 4').waitFor();

    await runs.fill('[data-testid=log-search]', 'TICK 6');
    await runs.press('[data-testid=log-search]', 'Enter');
    await runs.locator('.log-mark-current', { hasText: 'tick 6' }).waitFor();
    assert.equal(await runs.locator('[data-testid=log-matches]').textContent(), '1 / 1');
  });

  test('run manually on a tag through the picker', async () => {
    await git(repo.dir, ['tag', 'v1.0.0']);
    await git(repo.dir, ['-c', 'credential.helper=', 'push', '-q', 'slipway', 'v1.0.0']);
    // Pushing the tag starts a run of its own (trigger "tag"); the manual one comes after it.
    const tagRun = await nextRow(records, 1);
    await records.fill('[data-testid=ref-picker]', 'v1.0');
    await records.click('[data-testid=ref-option][data-ref="v1.0.0"]');
    await records.click('[data-testid=run-manually]');
    // A confirmation first (ref, commit, variables): nothing runs until "Start run".
    await records.locator('[data-testid=confirm-commit] code').waitFor();
    await records.click('[data-testid=run-confirm]');
    const manual = await nextRow(records, tagRun);
    const run = await server.api<{ ref: { kind: string; name: string }; trigger: string }>(
      `/api/projects/${PROJECT}/runs/${manual}`,
    );
    assert.deepEqual(run.ref, { kind: 'tag', name: 'v1.0.0' });
    assert.equal(run.trigger, 'manual');
  });

  test('cancel a long run: it ends canceled', async () => {
    const before = await latestNumber();
    const slowRepo = await server.push(PROJECT, slow(), 'slow');
    try {
      const number = await nextRow(records, before);
      await runs.goto(`${server.url}/projects/${PROJECT}/runs/${number}?job=wait`);
      await onPage(runs, () =>
        runs.locator('[data-testid=job-card][data-job=wait][data-status=running]').waitFor(),
      );
      await logLine(runs, 'waiting').first().waitFor();
      await runs.click('[data-testid=cancel-run]');
      await onPage(runs, () => runs.locator('[data-testid=run-status][data-status=canceled]').waitFor());
      await records
        .locator(`tr[data-testid=record-row][data-number="${number}"][data-status=canceled]`)
        .waitFor();
    } finally {
      await slowRepo.cleanup();
    }
  });

  test('a dropped connection: the live log reconnects and resumes, no line lost or repeated', async () => {
    const proxy = await startTcpProxy(server.port);
    const page = await context.newPage();
    const streams: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/logs/stream')) streams.push(new URL(r.url()).search);
    });
    const before = await latestNumber();
    const dropRepo = await server.push(PROJECT, ticking(), 'drop');
    try {
      const number = await nextRow(records, before);
      // Same host, other port: the session cookie applies, every byte goes through the proxy.
      await page.goto(`${proxy.url}/projects/${PROJECT}/runs/${number}?job=build`);
      await onPage(page, () => logLine(page, 'tick 2').waitFor());
      proxy.dropAll();
      await page.locator('[data-testid=log-reconnecting]').waitFor();
      await onPage(page, () => logLine(page, 'tick 8').waitFor());
      await page.locator('[data-testid=log-reconnecting]').waitFor({ state: 'detached' });
      const numbers = await page
        .locator('[data-testid=log-line]')
        .evaluateAll((els) => els.map((el) => Number(el.id.slice(1))));
      assert.deepEqual(
        numbers,
        numbers.map((_, i) => i + 1),
        'line numbers 1..n, no gap, no repeat',
      );
      for (let i = 1; i <= 8; i++)
        assert.equal(await logLine(page, `tick ${i}`).count(), 1, `tick ${i} once`);
      assert.ok(
        streams.some((q) => /after=[1-9]/.test(q)),
        `the reconnect resumed after the last line: ${streams.join(' ')}`,
      );
    } finally {
      await page.close();
      await proxy.close();
      await dropRepo.cleanup();
    }
  });

  test('a 100k-line log: only the visible rows are in the DOM, anchors and search reach the end', async () => {
    const before = await latestNumber();
    const bigRepo = await server.push(
      PROJECT,
      pipeline(['      big:', '        script:', '          - "seq 1 100000"', ''].join('\n')),
      'big',
    );
    try {
      const number = await nextRow(records, before);
      await records
        .locator(`tr[data-testid=record-row][data-number="${number}"][data-status=succeeded]`)
        .waitFor();
      await runs.goto(`${server.url}/projects/${PROJECT}/runs/${number}?job=big#L100001`);
      await onPage(runs, () => runs.locator('#L100001.log-selected').waitFor());
      assert.equal((await runs.locator('#L100001 .log-text').textContent())?.trim(), '100000');
      assert.ok((await runs.locator('[data-testid=log-line]').count()) < 300, 'a window of rows, not 100k');
      assert.match((await runs.locator('.log-count').textContent()) ?? '', /100001 lines/);
      await runs.fill('[data-testid=log-search]', '50000');
      await runs.press('[data-testid=log-search]', 'Enter');
      await runs.locator('.log-mark-current').waitFor();
      assert.equal(await runs.locator('[data-testid=log-matches]').textContent(), '1 / 1');
      assert.equal(
        (await runs.locator('.log-line:has(.log-mark-current) .log-n').textContent())?.trim(),
        '50001',
      );
    } finally {
      await bigRepo.cleanup();
    }
  });

  test('a log cut by the cap says so', async () => {
    const before = await latestNumber();
    const hugeRepo = await server.push(
      PROJECT,
      pipeline(['      huge:', '        script:', '          - "seq 1 400000"', ''].join('\n')),
      'huge',
    );
    try {
      const number = await nextRow(records, before);
      await runs.goto(`${server.url}/projects/${PROJECT}/runs/${number}?job=huge`);
      await onPage(runs, () => runs.locator('[data-testid=log-truncated]').waitFor());
      assert.match((await runs.locator('[data-testid=log-truncated]').textContent()) ?? '', /truncated/i);
    } finally {
      await hugeRepo.cleanup();
    }
  });

  test('screenshots of the main pages in English', async () => {
    await records.goto(`${server.url}/`);
    await records.waitForSelector('[data-testid=projects]');
    await screenshot(records, 'en-projects');
    await records.goto(`${server.url}/projects/${PROJECT}/pipeline`);
    await records.waitForSelector('[data-testid=pipeline-source]');
    await screenshot(records, 'en-pipeline');
    await records.goto(`${server.url}/projects/${PROJECT}/settings`);
    await records.waitForSelector('.settings-section');
    await screenshot(records, 'en-settings');
  });

  test('switch to Chinese: the tabs and pages are in Chinese', async () => {
    await records.goto(`${server.url}/projects/${PROJECT}`);
    await records.selectOption('select[data-testid=lang]', 'zh-CN');
    await records.locator('[data-testid=tab-records]', { hasText: '执行记录' }).waitFor();
    assert.equal((await records.locator('[data-testid=tab-pipeline]').textContent())?.trim(), '流程定义');
    assert.equal((await records.locator('[data-testid=tab-settings]').textContent())?.trim(), '设置');
    await row(records, 1).waitFor();
    await screenshot(records, 'zh-records');
    await records.goto(`${server.url}/`);
    await records.waitForSelector('[data-testid=projects]');
    await screenshot(records, 'zh-projects');
    await records.goto(`${server.url}/projects/${PROJECT}/runs/1?job=build`);
    await logLine(records, 'tick 8').waitFor();
    await screenshot(records, 'zh-run-log');
    await records.goto(`${server.url}/projects/${PROJECT}/pipeline`);
    await records.waitForSelector('[data-testid=pipeline-source]');
    await screenshot(records, 'zh-pipeline');
    await records.goto(`${server.url}/projects/${PROJECT}/settings`);
    await records.waitForSelector('.settings-section');
    await screenshot(records, 'zh-settings');
    // The choice is remembered: back to English for anything after.
    await records.selectOption('select[data-testid=lang]', 'en');
  });

  test('390 px wide: the records are shown and the page does not scroll sideways', async () => {
    const phone = await newContext(browser, { width: 390, height: 844 });
    try {
      const page = await phone.newPage();
      await signIn(page, server.url, 'admin', server.password);
      await page.goto(`${server.url}/projects/${PROJECT}`);
      await onPage(page, () => row(page, 1).waitFor());
      assert.ok(await row(page, 1).isVisible());
      const widths = await page.evaluate(() => ({
        body: document.body.scrollWidth,
        doc: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
      }));
      assert.ok(widths.body <= widths.viewport && widths.doc <= widths.viewport, JSON.stringify(widths));
      await screenshot(page, 'en-records-390px');
    } finally {
      await phone.close();
    }
  });

  test('no dialog was opened by anything on any page', () => {
    assert.deepEqual(dialogs, []);
    assert.ok(WAIT_MS <= 30_000);
  });
});
