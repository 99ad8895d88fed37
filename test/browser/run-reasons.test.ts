/**
 * Issue #14 in Chromium, on the whole product (server, embedded agent, Docker or the local
 * backend): a job that exits 2 and the job after it that was therefore not run. In zh-CN the run
 * page says the run's failure, the job's failure and the skip in Chinese, from the server's codes
 * and params; the English sentences stay as the hover title. No raw key anywhere on the page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { onPage, screenshot } from '../support/browser.js';
import { pushAndAwaitRun, signedInPage, startUiWithBrowser, type UiWithBrowser } from '../support/ui-run.js';

const PROJECT = 'reasons-ui';

const pipeline = (image: string) => `version: 1
image: ${image}
stages:
  - name: test
    jobs:
      unit: { script: [echo testing, 'exit 2'] }
  - name: publish
    jobs:
      report: { script: [echo report] }
`;

describe('run page reasons in zh-CN (Chromium)', () => {
  let ui: UiWithBrowser;
  before(async () => {
    ui = await startUiWithBrowser();
  });
  after(() => ui?.close());

  test("a failed job's reason and the skip after it are in Chinese", async () => {
    const { server } = ui;
    assert.equal(await pushAndAwaitRun(server, PROJECT, pipeline(ui.image)), 'failed');
    const { context, page } = await signedInPage(ui, { locale: 'zh-CN' });
    await onPage(page, async () => {
      await page.goto(`${server.url}/projects/${PROJECT}/runs/1?job=unit`);
      const runFailure = page.locator('[data-testid=run-failure]');
      await runFailure.waitFor();
      assert.equal((await runFailure.textContent())?.trim(), '任务“unit”失败：退出码 2');
      assert.match((await runFailure.getAttribute('title')) ?? '', /exited with code 2/);
      const jobFailure = page.locator('[data-testid=job-failure]');
      await jobFailure.waitFor();
      assert.match((await jobFailure.textContent()) ?? '', /脚本以退出码 2 结束。/);

      await page.goto(`${server.url}/projects/${PROJECT}/runs/1?job=report`);
      const skip = page.locator('[data-testid=job-skip]');
      await skip.waitFor();
      assert.match((await skip.textContent()) ?? '', /未运行：“unit”失败。/);
      await screenshot(page, 'run-reasons-zh');

      const body = (await page.locator('main').textContent()) ?? '';
      assert.doesNotMatch(body, /\b(reason|error)\.[a-z_]+\.[a-z_]+/, 'no raw key on the page');
      assert.doesNotMatch(body, /exited with code|not run:/, 'no English reason in the page text');
    });
    await context.close();
  });
});
