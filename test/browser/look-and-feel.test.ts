/**
 * The look and feel of #14 in Chromium, on the whole product (server, embedded agent, Docker):
 * the project page header as the seed shows it, Run manually behind a confirmation, the dense
 * records row (tests, coverage, commit age, live elapsed time, actor and trigger) in English and
 * Chinese, SVG status icons, no sideways scrolling at 390 px, the dark theme, no raw i18n key on
 * any page. Screenshots (en + zh, 1440 and 390 px) go to test-artifacts/screenshots.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  launchChromium,
  onPage,
  screenshot,
  signIn,
  startUiServer,
  type UiServer,
  WAIT_MS,
} from '../support/browser.js';
import type { TempRepo } from '../support/cli.js';
import { assertDrawn, rawKeysOn, scrollWidths } from '../support/page-checks.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { ensureWebBuilt } from '../support/web-build.js';
import { pipeline, type RunJson, slow } from './look-fixtures.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const execFileAsync = promisify(execFile);
const PROJECT = 'look-demo';

describe('look and feel (Chromium)', { timeout: 900_000 }, () => {
  let server: UiServer;
  let browser: Browser;
  let image = '';
  let repo: TempRepo;
  const contexts: BrowserContext[] = [];

  /** A signed-in page in a fresh context: width, UI language, colour scheme, motion preference. */
  async function openPage(
    opts: { width?: number; lang?: 'en' | 'zh-CN'; dark?: boolean; reducedMotion?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1440, height: 900 },
      locale: opts.lang === 'zh-CN' ? 'zh-CN' : 'en-US',
      colorScheme: opts.dark ? 'dark' : 'light',
      reducedMotion: opts.reducedMotion ? 'reduce' : 'no-preference',
    });
    context.setDefaultTimeout(WAIT_MS);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, server.url, 'admin', server.password);
    // The browser language decides the first choice; set it explicitly all the same.
    await page.selectOption('select[data-testid=lang]', opts.lang ?? 'en');
    return page;
  }

  const runs = async (query = '') =>
    (await server.api<{ runs: RunJson[] }>(`/api/projects/${PROJECT}/runs${query}`)).runs;
  /** Polls the API (bounded) until run `n` has a status in `wanted`. */
  async function waitForRun(n: number, wanted: string[]): Promise<RunJson> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const run = await server.api<RunJson>(`/api/projects/${PROJECT}/runs/${n}`).catch(() => null);
      if (run && wanted.includes(run.status)) return run;
      assert.ok(Date.now() < deadline, `run #${n} never reached ${wanted.join('/')}: ${run?.status}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  /** The newest run of `branch`, once the push has created it (bounded poll). */
  async function runOfBranch(branch: string): Promise<RunJson> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = (await runs(`?branch=${encodeURIComponent(branch)}&limit=1`))[0];
      if (run) return run;
      assert.ok(Date.now() < deadline, `no run of ${branch} appeared`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const row = (page: Page, n: number) => page.locator(`tr[data-testid=record-row][data-number="${n}"]`);

  before(async () => {
    [image] = await Promise.all([ensureBusyboxImage(docker), ensureWebBuilt()]);
    server = await startUiServer();
    browser = await launchChromium();
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
    });
    repo = await server.push(PROJECT, pipeline(image));
    const done = await waitForRun(1, ['succeeded', 'failed']);
    assert.equal(done.status, 'succeeded');
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('project header: name, image, code source, default-branch tests and coverage, tabs', async () => {
    const page = await openPage();
    await page.goto(`${server.url}/projects/${PROJECT}`);
    await onPage(page, async () => {
      const header = page.locator('[data-testid=project-header]');
      await header.locator('[data-testid=test-counts]').waitFor();
      assert.equal(await header.locator('[data-testid=project-name]').textContent(), PROJECT);
      assert.match((await header.textContent()) ?? '', /Image/);
      assert.match(
        (await header.locator('[data-testid=project-image]').textContent()) ?? '',
        /none built yet/,
      );
      assert.match(
        (await header.locator('[data-testid=project-source]').textContent()) ?? '',
        new RegExp(`/git/${PROJECT}\\.git$`),
      );
      const counts = header.locator('[data-testid=test-counts]');
      assert.deepEqual(await counts.evaluate((el) => ({ ...(el as HTMLElement).dataset })), {
        testid: 'test-counts',
        passed: '2',
        failed: '1',
        skipped: '1',
        coverage: '83.4',
      });
      const tabs = (await page.locator('nav.tabs a').allTextContents()).map((x) => x.trim());
      assert.deepEqual(tabs, [
        'Execution records',
        'Pipeline definition',
        'Images',
        'Applications',
        'Insights',
        'Settings',
      ]);
      await page.selectOption('select[data-testid=lang]', 'zh-CN');
      await page.locator('[data-testid=tab-records]', { hasText: '执行记录' }).waitFor();
      const zhTabs = (await page.locator('nav.tabs a').allTextContents()).map((x) => x.trim());
      assert.deepEqual(zhTabs, ['执行记录', '流程定义', '镜像仓库', '应用', '洞察', '设置']);
      assert.match((await header.textContent()) ?? '', /镜像.*代码源/s);
      assert.equal((await page.locator('[data-testid=run-manually]').textContent())?.trim(), '手动执行');
    });
  });

  test('Run manually: a confirmation with ref, commit and variables; the run starts only on confirm', async () => {
    const feature = await server.push(PROJECT, pipeline(image), 'feature/look');
    await waitForRun((await runOfBranch('feature/look')).number, ['succeeded', 'failed']);
    const commit = await server.api<{ shortSha: string; message: string }>(
      `/api/projects/${PROJECT}/commit?branch=feature%2Flook`,
    );
    const page = await openPage();
    await page.goto(`${server.url}/projects/${PROJECT}`);
    await onPage(page, async () => {
      await row(page, 2).waitFor();
      await page.fill('[data-testid=ref-picker]', 'feature/lo');
      await page.click('[data-testid=ref-option][data-ref="feature/look"]');
      await page.click('[data-testid=run-manually]');
      const dialog = page.locator('[data-testid=run-manually-dialog]');
      await dialog.locator('[data-testid=confirm-commit] code', { hasText: commit.shortSha }).waitFor();
      assert.match((await dialog.locator('[data-testid=confirm-ref]').textContent()) ?? '', /feature\/look/);
      assert.match(
        (await dialog.locator('[data-testid=confirm-commit]').textContent()) ?? '',
        new RegExp(commit.message.split('\n')[0] ?? ''),
      );
      await screenshot(page, 'look-en-1440-run-manually-dialog');
      // Opening the dialog (and its commit lookup) started nothing; neither does Cancel.
      assert.equal((await runs()).length, 2);
      await dialog.locator('[data-testid=run-cancel-dialog]').click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal((await runs()).length, 2);

      await page.click('[data-testid=run-manually]');
      await dialog.locator('[data-testid=confirm-commit] code').waitFor();
      await dialog.locator('[data-testid=add-variable]').click();
      await dialog.locator('[data-testid=variable-key]').fill('GREETING');
      await dialog.locator('[data-testid=variable-value]').fill('hello-look');
      await dialog.locator('[data-testid=run-confirm]').click();
      await dialog.waitFor({ state: 'detached' });
      await row(page, 3).waitFor();
    });
    const run = await waitForRun(3, ['succeeded', 'failed']);
    assert.deepEqual(run.ref, { kind: 'branch', name: 'feature/look' });
    assert.equal(run.trigger, 'manual');
    assert.equal(run.actor, 'admin');
    assert.deepEqual(run.variables, ['GREETING']);
    const log = await fetch(`${server.url}/api/projects/${PROJECT}/runs/3/jobs/pack/logs/raw`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    assert.match(await log.text(), /greeting=hello-look/);
    await feature.cleanup();
  });

  test('records row: tests, coverage, "committed about 1 hour ago", actor and trigger, in en and zh', async () => {
    // A commit dated an hour ago on its own branch: its age is known to the minute.
    const hourAgo = new Date(Date.now() - 62 * 60_000).toISOString();
    const env = { ...process.env, GIT_AUTHOR_DATE: hourAgo, GIT_COMMITTER_DATE: hourAgo };
    const gitAt = (args: string[]) => execFileAsync('git', args, { cwd: repo.dir, env });
    await gitAt(['checkout', '-q', '-b', 'aged']);
    await gitAt([
      '-c',
      'user.name=Old',
      '-c',
      'user.email=old@slipway.invalid',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'an older commit',
    ]);
    await gitAt(['-c', 'credential.helper=', 'push', '-q', 'slipway', 'aged']);
    const aged = await runOfBranch('aged');
    const finished = await waitForRun(aged.number, ['succeeded', 'failed']);
    assert.deepEqual((await runs(`?before=${finished.number + 1}&limit=1`))[0]?.tests, {
      total: 4,
      passed: 2,
      failed: 1,
      skipped: 1,
      coverage: 83.4,
    });

    for (const lang of ['en', 'zh-CN'] as const) {
      const page = await openPage({ lang });
      await page.goto(`${server.url}/projects/${PROJECT}`);
      await onPage(page, async () => {
        const r = row(page, finished.number);
        await r.locator('[data-testid=test-counts]').waitFor();
        const counts = await r
          .locator('[data-testid=test-counts]')
          .evaluate((el) => ({ ...(el as HTMLElement).dataset }));
        assert.equal(counts.passed, '2');
        assert.equal(counts.failed, '1');
        assert.equal(counts.skipped, '1');
        assert.equal(counts.coverage, '83.4');
        assert.equal(await r.locator('[data-testid=coverage] [aria-hidden=true]').textContent(), '83.4%');
        const age = (await r.locator('[data-testid=commit-age]').textContent()) ?? '';
        const countsText = (await r.locator('[data-testid=test-counts]').textContent()) ?? '';
        const trigger = (await r.locator('[data-testid=record-trigger]').textContent()) ?? '';
        assert.equal(await r.locator('[data-testid=record-actor]').textContent(), 'admin');
        if (lang === 'en') {
          assert.equal(age, 'committed about 1 hour ago');
          assert.match(countsText, /2 passed.*1 failed.*1 skipped.*coverage 83\.4%/);
          assert.equal(trigger, 'push');
          assert.match((await r.locator('[data-testid=duration]').textContent()) ?? '', /^took \d/);
        } else {
          assert.equal(age, '大约1小时前提交');
          assert.match(countsText, /2 通过.*1 失败.*1 跳过.*覆盖率 83\.4%/);
          assert.equal(trigger, '推送');
          assert.match((await r.locator('[data-testid=duration]').textContent()) ?? '', /^耗时 \d/);
        }
        // SVG icons, each with a label in the UI language; no emoji left in the table.
        const label = await r.locator('.cell-record [role=img]').first().getAttribute('aria-label');
        assert.equal(label, lang === 'en' ? 'Succeeded' : '执行成功');
        assert.ok((await r.locator('svg.status-svg').count()) >= 3);
        assert.doesNotMatch(
          (await page.locator('[data-testid=records]').textContent()) ?? '',
          /[✅❌🕒⏸⛔⏭]/u,
        );
      });
    }
  });

  test("a running row's elapsed time ticks; the spinner stops for reduced motion", async () => {
    const slowRepo = await server.push(PROJECT, slow(image), 'slow');
    try {
      const { number } = await runOfBranch('slow');
      await waitForRun(number, ['running']);
      const page = await openPage();
      await page.goto(`${server.url}/projects/${PROJECT}`);
      await onPage(page, async () => {
        const elapsed = row(page, number).locator('[data-testid=elapsed]');
        await elapsed.waitFor();
        const first = await elapsed.textContent();
        assert.match(first ?? '', /^running for \d+:\d\d$/);
        // Bounded wait for the next tick: the text changes without any event from the server.
        await page.waitForFunction(
          ([sel, was]) => document.querySelector(sel as string)?.textContent !== was,
          [`tr[data-number="${number}"] [data-testid=elapsed]`, first],
          { timeout: WAIT_MS },
        );
        const spinning = row(page, number).locator('.status-running svg').first();
        assert.equal(await spinning.evaluate((el) => getComputedStyle(el).animationName), 'status-spin');
        await screenshot(page, 'look-en-1440-records-running');
      });
      const calm = await openPage({ reducedMotion: true });
      await calm.goto(`${server.url}/projects/${PROJECT}`);
      const still = row(calm, number).locator('.status-running svg').first();
      await still.waitFor();
      assert.equal(await still.evaluate((el) => getComputedStyle(el).animationName), 'none');
      await server.api(`/api/projects/${PROJECT}/runs/${number}/cancel`, { method: 'POST', body: '{}' });
      await waitForRun(number, ['canceled']);
    } finally {
      await slowRepo.cleanup();
    }
  });

  test('390 px: project page, run page and settings never scroll sideways; screenshots en + zh', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const short = lang === 'en' ? 'en' : 'zh';
      for (const width of [390, 1440]) {
        const page = await openPage({ width, lang });
        const pages: [string, string, string][] = [
          ['project', `/projects/${PROJECT}`, '[data-testid=test-counts]'],
          ['run', `/projects/${PROJECT}/runs/1?job=unit`, '[data-testid=log-line]'],
          ['settings', `/projects/${PROJECT}/settings`, '.settings-section'],
          ['pipeline', `/projects/${PROJECT}/pipeline`, '[data-testid=pipeline-source]'],
        ];
        for (const [name, path, ready] of pages) {
          await page.goto(`${server.url}${path}`);
          await onPage(page, () => page.locator(ready).first().waitFor());
          // A page that failed to draw shows its error note, which has paragraphs too: not ready.
          await assertDrawn(page, `${path} (${lang})`);
          const widths = await scrollWidths(page);
          assert.ok(
            widths.doc <= widths.viewport && widths.body <= widths.viewport,
            `${name} at ${width} px (${lang}) scrolls sideways: ${JSON.stringify(widths)}`,
          );
          await screenshot(page, `look-${short}-${width}-${name}`);
        }
      }
    }
  });

  test('dark theme follows the system setting', async () => {
    const dark = await openPage({ dark: true });
    await dark.goto(`${server.url}/projects/${PROJECT}`);
    await dark.locator('[data-testid=test-counts]').first().waitFor();
    const colours = async (page: Page) =>
      page.evaluate(() => ({
        bg:
          getComputedStyle(document.body).backgroundColor ||
          getComputedStyle(document.documentElement).backgroundColor,
        root: getComputedStyle(document.documentElement).backgroundColor,
        text: getComputedStyle(document.documentElement).color,
        table: getComputedStyle(document.querySelector('.records-table') as Element).backgroundColor,
      }));
    const d = await colours(dark);
    assert.equal(d.root, 'rgb(18, 21, 27)');
    assert.equal(d.text, 'rgb(230, 233, 239)');
    assert.equal(d.table, 'rgb(27, 32, 41)');
    await screenshot(dark, 'look-en-1440-project-dark');
    const light = await openPage();
    await light.goto(`${server.url}/projects/${PROJECT}`);
    await light.locator('[data-testid=test-counts]').first().waitFor();
    const l = await colours(light);
    assert.equal(l.root, 'rgb(246, 247, 249)');
    assert.equal(l.table, 'rgb(255, 255, 255)');
  });

  test('no page shows an untranslated key, in English or Chinese', async () => {
    const paths: [string, string][] = [
      ['/', '[data-testid=projects]'],
      [`/projects/${PROJECT}`, '[data-testid=test-counts]'],
      [`/projects/${PROJECT}/pipeline`, '[data-testid=pipeline-source]'],
      [`/projects/${PROJECT}/images`, '.tab-panel :is(p, table, section, div)'],
      [`/projects/${PROJECT}/apps`, '.tab-panel :is(p, table, section, div)'],
      [`/projects/${PROJECT}/insights`, '.tab-panel :is(p, table, section, div)'],
      [`/projects/${PROJECT}/settings`, '.settings-section'],
      [`/projects/${PROJECT}/runs/1?job=unit`, '[data-testid=log-line]'],
      ['/account', 'main form, main section'],
    ];
    for (const lang of ['en', 'zh-CN'] as const) {
      const page = await openPage({ lang });
      for (const [path, ready] of paths) {
        await page.goto(`${server.url}${path}`);
        await onPage(page, () => page.locator(ready).first().waitFor());
        // A page that failed to draw shows its error note, which has paragraphs too: not ready.
        await assertDrawn(page, `${path} (${lang})`);
        // Lazy parts settle: no "Loading…" left before reading the texts.
        await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: WAIT_MS });
        const raw = await rawKeysOn(page);
        assert.deepEqual(raw, [], `${path} (${lang}) shows raw keys`);
      }
      // The Run manually dialog too.
      await page.goto(`${server.url}/projects/${PROJECT}`);
      await page.click('[data-testid=run-manually]');
      await page.locator('[data-testid=confirm-commit] code').waitFor();
      assert.deepEqual(await rawKeysOn(page), [], `Run manually dialog (${lang}) shows raw keys`);
      await screenshot(page, `look-${lang === 'en' ? 'en' : 'zh'}-1440-run-manually-dialog`);
    }
  });
});
