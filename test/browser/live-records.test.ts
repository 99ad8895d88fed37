/**
 * The records page follows the project's event stream through the query cache (TanStack Query
 * fed by useServerEvents), in a real browser against the real product: a run started through
 * the API appears and changes status without a reload, and after the stream was cut while a
 * run came and went, the page catches up once the server is reachable again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  newContext,
  onPage,
  signIn,
  startTcpProxy,
  startUiServer,
  type TcpProxy,
  type UiServer,
} from '../support/browser.js';
import type { TempRepo } from '../support/cli.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { ensureWebBuilt } from '../support/web-build.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const PROJECT = `live${Date.now().toString(36)}`;

let server: UiServer;
let proxy: TcpProxy;
let browser: Browser;
let page: Page;
let repo: TempRepo;

interface Run {
  number: number;
  status: string;
}

/** Polls the API (bounded) until run `number` exists and has one of `statuses`. */
async function waitForRun(number: number, statuses: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    // The list, not the run itself: a push's run is created after the push has returned.
    const page = await server.api<{ runs: Run[] }>(
      `/api/projects/${PROJECT}/runs?before=${number + 1}&limit=1`,
    );
    const status = page.runs.find((r) => r.number === number)?.status ?? 'missing';
    if (statuses.includes(status)) return;
    if (Date.now() > deadline)
      throw new Error(`run ${number} stayed ${status}, wanted ${statuses.join('|')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const startRun = () =>
  server.api<Run>(`/api/projects/${PROJECT}/runs`, {
    method: 'POST',
    body: JSON.stringify({ branch: 'main' }),
  });
const cancelRun = (number: number) =>
  server.api(`/api/projects/${PROJECT}/runs/${number}/cancel`, { method: 'POST', body: '{}' });
const row = (number: number, status?: string) =>
  page.locator(
    `tr[data-testid=record-row][data-number="${number}"]${status ? `[data-status="${status}"]` : ''}`,
  );
/** A marker on the page's window: it survives only if the page is never reloaded. */
const marker = () => page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker);

describe('records page: live through the events hook', { timeout: 300_000 }, () => {
  before(async () => {
    const [image] = await Promise.all([ensureBusyboxImage(docker), ensureWebBuilt()]);
    server = await startUiServer();
    await server.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: PROJECT, source: { kind: 'builtin' } }),
    });
    // Every run waits until canceled: the test, not the clock, decides when a status changes.
    const pipeline = `version: 1\nimage: ${image}\nstages:\n  - name: build\n    jobs:\n      hold:\n        script:\n          - "echo holding; sleep 300"\n`;
    repo = await server.push(PROJECT, pipeline);
    await waitForRun(1, ['queued', 'pending', 'running']);
    await cancelRun(1);
    await waitForRun(1, ['canceled']);
    // Every byte between browser and server goes through the proxy, so the test can cut it.
    proxy = await startTcpProxy(server.port);
    browser = await launchChromium();
    page = await (await newContext(browser)).newPage();
    await signIn(page, proxy.url, 'admin', server.password);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await proxy?.close();
    await repo?.cleanup();
    await server?.stop();
  });

  test('a run started through the API appears on the open records page and changes status', async () => {
    await page.goto(`${proxy.url}/projects/${PROJECT}`);
    await onPage(page, () => row(1, 'canceled').waitFor());
    await page.evaluate(() => {
      (window as unknown as { liveMarker: number }).liveMarker = 7;
    });
    const run = await startRun();
    await onPage(page, () => row(run.number).waitFor());
    await onPage(page, () => row(run.number, 'running').waitFor());
    await cancelRun(run.number);
    await onPage(page, () => row(run.number, 'canceled').waitFor());
    assert.equal(await marker(), 7, 'the page was never reloaded');
  });

  test('after the stream was cut, the page catches up with what happened meanwhile', async () => {
    const shown = await row(1).count();
    assert.equal(shown, 1);
    proxy.refuse(true);
    proxy.dropAll();
    const run = await startRun();
    await waitForRun(run.number, ['running']);
    await cancelRun(run.number);
    await waitForRun(run.number, ['canceled']);
    // Nothing could reach the page while the server was unreachable.
    assert.equal(await row(run.number).count(), 0);
    proxy.refuse(false);
    // EventSource reconnects by itself; the hook then re-reads the project's queries.
    await onPage(page, () => row(run.number, 'canceled').waitFor());
    assert.equal(await marker(), 7, 'the page was never reloaded');
  });
});
