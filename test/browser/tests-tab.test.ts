/**
 * The Tests / 测试 tab in Chromium, on the whole product (server, embedded agent, Docker): a job
 * writes a JUnit file with a failure and keeps dist/ as artifacts; the run page shows the
 * failed test first with its message, and the Artifacts tab lists the file with its download.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { onPage, screenshot } from '../support/browser.js';
import { pushAndAwaitRun, signedInPage, startUiWithBrowser, type UiWithBrowser } from '../support/ui-run.js';

const PROJECT = 'junit-ui';

const pipeline = (image: string) => `version: 1
image: ${image}
stages:
  - name: test
    jobs:
      unit:
        script:
          - mkdir -p dist reports
          - echo app > dist/app.txt
          - printf '<testsuites><testsuite name="api"><testcase classname="api.users" name="lists users" time="0.2"/><testcase classname="api.users" name="rejects bad ids" time="0.1"><failure message="expected 400, got 500">Error at users.ts:42</failure></testcase></testsuite></testsuites>' > reports/junit.xml
          - exit 1
        artifacts: { paths: [dist/], when: always }
        reports: { junit: reports/junit.xml }
`;

describe('Tests tab (Chromium)', () => {
  let ui: UiWithBrowser;
  before(async () => {
    ui = await startUiWithBrowser();
  });
  after(() => ui?.close());

  test('a JUnit report with a failure: failed first with its message; artifacts listed', async () => {
    const { server } = ui;
    // The run fails (exit 1) after reporting: wait for it to end before opening it.
    await pushAndAwaitRun(server, PROJECT, pipeline(ui.image));
    const { context, page } = await signedInPage(ui);
    await onPage(page, async () => {
      await page.goto(`${server.url}/projects/${PROJECT}/runs/1`);
      await page.click('[data-testid=tests-tab]');
      const first = page.locator('[data-testid=tests] .test-case').first();
      await first.waitFor();
      assert.equal(await first.getAttribute('data-status'), 'failed');
      assert.match((await first.textContent()) ?? '', /rejects bad ids/);
      assert.match((await first.textContent()) ?? '', /expected 400, got 500/);
      assert.match(
        (await page.locator('[data-testid=tests]').textContent()) ?? '',
        /2 tests: 1 passed, 1 failed/,
      );
      await screenshot(page, 'en-run-tests-tab');
      await page.click('[data-testid=artifacts-tab]');
      const artifacts = page.locator('[data-testid=artifacts]');
      await artifacts.waitFor();
      assert.match((await artifacts.textContent()) ?? '', /dist\/app\.txt/);
    });
    await context.close();
  });
});
