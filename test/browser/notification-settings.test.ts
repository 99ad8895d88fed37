/**
 * The notification settings in Chromium: a maintainer adds a DingTalk channel in the project's
 * settings (URL and secret typed once, never shown again), presses "Send test", and the delivery
 * log shows it delivered with the receiver's response code; the receiver got a signed message.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type Receiver, startReceiver, until } from '../notify/notify-fixtures.js';
import { insertProject } from '../runs/fixtures.js';
import { launchChromium, newContext, signIn } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ensureWebBuilt } from '../support/web-build.js';

let t: TestServer;
let receiver: Receiver;
let browser: Browser;

before(async () => {
  await ensureWebBuilt();
  receiver = await startReceiver();
  t = await startTestServer({
    SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1',
    SLIPWAY_DELIVERY_RETRY_BASE: '200ms',
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
  await receiver?.close();
});

test('add a DingTalk channel, send a test, read the delivery log; the secret is not shown', async () => {
  const project = await insertProject(t);
  const res = await t.api('/api/users', {
    method: 'POST',
    body: JSON.stringify({ username: 'maya', password: 'maintainer-pass-1', role: 'maintainer' }),
  });
  assert.equal(res.status, 201);
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, t.url, 'maya', 'maintainer-pass-1');
  await page.goto(`${t.url}/projects/${project.name}/settings`);
  const section = page.locator('[data-testid=notifications]');
  await section.locator('input[name=name]').fill('team robot');
  await section.locator('select[aria-label="Kind"]').selectOption('dingtalk');
  await section.locator('input[name=url]').fill(`${receiver.url}/robot/send?access_token=robot-token-1`);
  await section.locator('input[name=secret]').fill('SECdingtalk-secret');
  await section.locator('button[type=submit]').click();
  const item = section.locator('[data-testid=channel-item][data-name="team robot"]');
  await item.waitFor();
  assert.ok(!(await page.content()).includes('robot-token-1'));
  assert.ok(!(await page.content()).includes('SECdingtalk-secret'));

  await item.locator('button', { hasText: 'Send test' }).click();
  await until('the test message', () => receiver.requests.some((r) => r.url.startsWith('/robot/send')));
  const sent = receiver.requests.find((r) => r.url.startsWith('/robot/send'));
  assert.match(sent?.url ?? '', /timestamp=\d+&sign=/);
  // The log shows the delivery once it is recorded (reopen to reload).
  await until('the delivered row', async () => {
    await item.locator('button', { hasText: 'Delivery log' }).click();
    const delivered = await item.locator('tr[data-status=succeeded]').count();
    if (delivered === 0) await item.locator('button', { hasText: 'Delivery log' }).click();
    return delivered > 0;
  });
  assert.match(
    (await item.locator('tr[data-status=succeeded]').first().textContent()) ?? '',
    /Test\s*delivered\s*200/,
  );

  // Disable keeps the write-only URL and secret.
  await item.locator('[data-testid=channel-toggle]').click();
  await item.locator('text=(disabled)').waitFor();
  const channels = (await (await t.api(`/api/projects/${project.name}/notifications`)).json()) as {
    enabled: boolean;
    configured: { url: boolean; secret: boolean };
  }[];
  assert.deepEqual(
    [channels[0]?.enabled, channels[0]?.configured.url, channels[0]?.configured.secret],
    [false, true, true],
  );
  await context.close();
});
