/**
 * Issue #14 in Chromium, on the whole product (server, embedded agent, Docker or the local
 * backend): a job's test summary and artifact upload lines are Slipway's own coded log lines.
 * In zh-CN the log viewer shows them in Chinese and its search finds the Chinese words; the raw
 * download keeps the English lines.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { onPage, screenshot } from '../support/browser.js';
import { pushAndAwaitRun, signedInPage, startUiWithBrowser, type UiWithBrowser } from '../support/ui-run.js';

const PROJECT = 'syslog-ui';

const pipeline = (image: string) => `version: 1
image: ${image}
stages:
  - name: test
    jobs:
      unit:
        script:
          - mkdir -p dist reports
          - echo app > dist/app.txt
          - printf '<testsuites><testsuite name="api"><testcase classname="api" name="a" time="0.1"/><testcase classname="api" name="b" time="0.1"><skipped/></testcase></testsuite></testsuites>' > reports/junit.xml
        artifacts: { paths: [dist/] }
        reports: { junit: reports/junit.xml }
`;

describe('coded log lines in zh-CN (Chromium)', () => {
  let ui: UiWithBrowser;
  before(async () => {
    ui = await startUiWithBrowser();
  });
  after(() => ui?.close());

  test('the test summary and the artifact upload show in Chinese and are searchable', async () => {
    const { server } = ui;
    assert.equal(await pushAndAwaitRun(server, PROJECT, pipeline(ui.image)), 'succeeded');
    const { context, page } = await signedInPage(ui, { locale: 'zh-CN' });
    await onPage(page, async () => {
      await page.goto(`${server.url}/projects/${PROJECT}/runs/1?job=unit`);
      const summary = page.locator('[data-testid=log-line]', { hasText: '测试：' });
      await summary.waitFor();
      assert.match((await summary.textContent()) ?? '', /\[slipway\] 测试：1 个通过，0 个失败，1 个跳过/);
      const uploaded = page.locator('[data-testid=log-line]', { hasText: '制品：已上传' });
      await uploaded.waitFor();
      assert.match((await uploaded.textContent()) ?? '', /制品：已上传 1 个文件/);
      const log = (await page.locator('[data-testid=log]').textContent()) ?? '';
      assert.doesNotMatch(
        log,
        /syslog\.|\[slipway\] tests:|artifacts: uploaded/,
        'no raw key or English line',
      );

      // Search works on what is shown: the Chinese words match, the hidden English ones do not.
      await page.fill('[data-testid=log-search]', '个跳过');
      await page.locator('[data-testid=log-matches]', { hasText: '1' }).waitFor();
      assert.match((await page.locator('[data-testid=log-matches]').textContent()) ?? '', /\/ 1$/);
      await page.fill('[data-testid=log-search]', 'passed,');
      await page.locator('[data-testid=log-matches]', { hasText: '0' }).waitFor();
      await screenshot(page, 'log-system-lines-zh');
    });
    await context.close();

    const raw = await (
      await fetch(`${server.url}/api/projects/${PROJECT}/runs/1/jobs/unit/logs/raw`, {
        headers: { authorization: `Bearer ${server.token}` },
      })
    ).text();
    assert.match(raw, /\[slipway\] tests: 1 passed, 0 failed, 1 skipped/);
    assert.match(raw, /\[slipway\] artifacts: uploaded 1 file/);
  });
});
