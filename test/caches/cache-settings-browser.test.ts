/**
 * Settings → Caches in a real browser against a real `slipway server`: a cache an agent
 * uploaded (over the agent protocol, for a real lease) is listed with its size and the server
 * store as its place; Clear removes it from the store. The page is shown in Chinese too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { pack } from 'tar-stream';
import { HttpTransport } from '../../src/agent/http-transport.js';
import {
  launchChromium,
  newContext,
  onPage,
  screenshot,
  signIn,
  startUiServer,
  type UiServer,
} from '../support/browser.js';
import { ensureWebBuilt } from '../support/web-build.js';

const PROJECT = 'cache-ui';

let server: UiServer;
let browser: Browser;
let page: Page;

async function tar(): Promise<Buffer> {
  const out = pack();
  out.entry({ name: '0/', type: 'directory' });
  out.entry({ name: '0/installed.txt' }, 'v1\n');
  out.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of out) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('Settings: caches', { timeout: 300_000 }, () => {
  before(async () => {
    await ensureWebBuilt();
    server = await startUiServer({ SLIPWAY_EMBEDDED_AGENT: 'false', SLIPWAY_LEASE_TIMEOUT: '10m' });
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
    });
    await server.push(
      PROJECT,
      'version: 1\nimage: busybox\nstages:\n  - name: s\n    jobs:\n      j:\n        script: [echo hi]\n',
    );
    const agent = await server.api<{ token: string }>('/api/agents', {
      method: 'POST',
      body: JSON.stringify({ name: 'ui-cache-agent' }),
    });
    const transport = new HttpTransport({ server: server.url, token: agent.token });
    let lease = null;
    for (let i = 0; i < 50 && !lease; i += 1)
      lease = await transport.lease(1000, new AbortController().signal);
    assert.ok(lease, 'the pushed run was leased');
    const { Readable } = await import('node:stream');
    await transport.cacheUpload(
      lease.leaseId,
      { key: 'deps-ui', paths: ['/opt/deps'] },
      Readable.from([await tar()]),
    );
    browser = await launchChromium();
    page = await (await newContext(browser)).newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('lists the server store caches with their size, and Clear removes one', async () => {
    await signIn(page, server.url, server.username, server.password);
    await page.goto(`${server.url}/projects/${PROJECT}/settings`);
    await onPage(page, async () => {
      const item = page.locator('[data-testid=caches] [data-testid=cache-item][data-key=deps-ui]');
      await item.waitFor();
      const text = await item.textContent();
      assert.match(text ?? '', /deps-ui/);
      assert.match(text ?? '', /\d+(\.\d+)? (B|KB|KiB)/);
      assert.match(text ?? '', /server store/);
      assert.match((await page.locator('[data-testid=caches] .hint').textContent()) ?? '', /per cache/);
      await screenshot(page, 'settings-caches');
      await item.locator('button').click();
      await item.waitFor({ state: 'detached' });
      await page.locator('[data-testid=caches]', { hasText: 'No caches in the server store yet' }).waitFor();
    });
    const left = await server.api<{ caches: unknown[] }>(`/api/projects/${PROJECT}/caches`);
    assert.deepEqual(left.caches, []);
  });
});
