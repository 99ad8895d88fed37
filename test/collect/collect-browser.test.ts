/**
 * The beacon and the feedback widget from real Chromium, on a page served by an app that Slipway
 * deployed (real engine, in-process agent): page views (also client-side navigation), a custom
 * event queued before the script loaded, a client error and a feedback message are stored and
 * attributed to release 1; after deploying v2 the same page's events go to release 2. The same
 * page opened under an undeclared origin is refused by CORS and stores nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Dockerode from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { freePort, get } from '../deploy/deploy-support.js';
import { createWebApplication, startRegisteredDeployAgent } from '../deploys/deploy-fixture.js';
import { launchChromium, newContext, onPage } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { buildCollectPage, pageHtml } from './collect-page-image.js';
import { until } from './collect-support.js';

const docker = new Dockerode();
const project = `collect${Date.now().toString(36)}`;
const app = 'shop';
const env = 'production';
const tags: string[] = [];
let t: TestServer;
let browser: Browser;
let stopAgent: () => Promise<void>;
const agentLog: string[] = [];

before(async () => {
  t = await startTestServer();
  stopAgent = await startRegisteredDeployAgent(t, docker, 'collect-deployer', {
    log: (m) => agentLog.push(m),
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopAgent?.();
  await new DockerTarget({ docker }).remove({ project, app, env }).catch(() => {});
  await t?.close();
  for (const tag of tags)
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => {});
});

async function deploy(image: string): Promise<number> {
  const base = `/api/projects/${project}/applications/${app}`;
  const res = await t.api(`${base}/environments/${env}/deploy`, {
    method: 'POST',
    body: JSON.stringify({ image }),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  const { number } = JSON.parse(text) as { number: number };
  const deadline = Date.now() + 180_000;
  for (;;) {
    const list = (await (await t.api(`${base}/releases?env=${env}`)).json()) as {
      releases: { number: number; status: string; reason: string | null }[];
    };
    const r = list.releases.find((x) => x.number === number);
    if (r && !['queued', 'running', 'awaiting_approval'].includes(r.status)) {
      assert.equal(r.status, 'succeeded', `${r.reason}\n${agentLog.join('\n')}`);
      return number;
    }
    if (Date.now() > deadline) throw new Error(`release #${number} did not end\n${agentLog.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Stored {
  kind: string;
  name: string | null;
  path: string;
  props: string | null;
  release: number | null;
}

async function stored(): Promise<Stored[]> {
  const rows = await t.server.ctx.db
    .selectFrom('behaviour_events as b')
    .innerJoin('applications as a', 'a.id', 'b.application_id')
    .leftJoin('releases as r', 'r.id', 'b.release_id')
    .select(['b.kind', 'b.name', 'b.path', 'b.props', 'r.number as release'])
    .where('a.name', '=', app)
    .orderBy('b.occurred_at')
    .execute();
  return rows.map((r) => ({ ...r, release: r.release === null ? null : Number(r.release) }));
}

const has = (rows: Stored[], want: Partial<Stored>) =>
  rows.some((r) => Object.entries(want).every(([k, v]) => r[k as keyof Stored] === v));

async function waitFor(page: Page, what: string, want: Partial<Stored>): Promise<void> {
  await onPage(page, () => until(what, async () => has(await stored(), want), 30_000));
}

test('page views, events, errors and feedback from Chromium, attributed across a release switch', async () => {
  const port = await freePort();
  await createWebApplication(t, { project, app, env }, port);
  const base = `/api/projects/${project}/applications/${app}`;
  const pageOrigin = `http://127.0.0.1:${port}`;
  const site = await t.api(`${base}/collect-site`, {
    method: 'PUT',
    body: JSON.stringify({ origins: [{ origin: pageOrigin, environment: null }], feedbackEnabled: true }),
  });
  const siteText = await site.text();
  assert.equal(site.status, 200, siteText);
  const { siteKey } = JSON.parse(siteText) as { siteKey: string };
  const unique = Date.now().toString(36);
  for (const v of ['v1', 'v2']) {
    tags.push(await buildCollectPage(docker, `${unique}-${v}`, pageHtml(t.url, siteKey, v), v));
  }

  const r1 = await deploy(tags[0] as string);
  assert.equal((await get(port, '/version')).body.trim(), 'v1');
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${pageOrigin}/`);
  await waitFor(page, 'the first page view', { kind: 'pageview', path: '/', release: r1 });
  await waitFor(page, 'the event queued before load', { kind: 'event', name: 'early', release: r1 });
  await page.click('#signup');
  await waitFor(page, 'the custom event', {
    kind: 'event',
    name: 'signup',
    props: '{"plan":"pro"}',
    release: r1,
  });
  await page.click('#boom');
  await waitFor(page, 'the client error', { kind: 'error', name: 'Uncaught Error: boom in v1', release: r1 });
  const error = (await stored()).find((r) => r.kind === 'error');
  assert.match(error?.props ?? '', /"source":"http:\/\/127\.0\.0\.1:\d+\/:1?\d*:\d+"/);
  await page.click('#nav');
  await waitFor(page, 'the client-side navigation', { kind: 'pageview', path: '/second', release: r1 });

  // The widget: a button, a small form, Escape closes it, the message is stored with release 1.
  await onPage(page, async () => {
    await page.click('button[data-slipway=feedback]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('form[data-slipway=feedback-form]', { state: 'detached' });
    await page.click('button[data-slipway=feedback]');
    await page.fill('form[data-slipway=feedback-form] textarea[name=message]', 'Checkout is slow today');
    await page.selectOption('form[data-slipway=feedback-form] select[name=rating]', '3');
    await page.fill('form[data-slipway=feedback-form] input[name=contact]', 'li@example.com');
    await page.click('form[data-slipway=feedback-form] button[type=submit]');
    await page.waitForSelector('form[data-slipway=feedback-form] p[role=status]:has-text("Thank you!")');
  });
  const inbox = (await (await t.api(`${base}/feedback`)).json()) as {
    messages: { message: string; rating: number; contact: string; page: string; release: number }[];
  };
  assert.deepEqual(
    inbox.messages.map((m) => [m.message, m.rating, m.contact, m.page, m.release]),
    [['Checkout is slow today', 3, 'li@example.com', `${pageOrigin}/second`, r1]],
  );

  // The same page under an origin the site did not declare: the browser's requests are refused.
  const before = (await stored()).length;
  const stranger = await context.newPage();
  const sent = stranger.waitForRequest((r) => r.url().endsWith('/api/collect/feedback'));
  await stranger.goto(`http://localhost:${port}/`);
  await onPage(stranger, async () => {
    await stranger.click('button[data-slipway=feedback]');
    await stranger.fill('textarea[name=message]', 'from a stranger');
    await stranger.click('form[data-slipway=feedback-form] button[type=submit]');
    await sent;
    // The server answered 403 without an Access-Control-Allow-Origin: the browser reports a failure.
    await stranger.waitForSelector('p[role=status]:has-text("Not sent")');
  });
  assert.equal((await stored()).length, before);
  const after = (await (await t.api(`${base}/feedback`)).json()) as { messages: unknown[] };
  assert.equal(after.messages.length, 1);

  // Release 2 serves now: the same page's events belong to it.
  const r2 = await deploy(tags[1] as string);
  assert.equal((await get(port, '/version')).body.trim(), 'v2');
  await page.goto(`${pageOrigin}/`);
  await waitFor(page, 'a page view of release 2', { kind: 'pageview', path: '/', release: r2 });
  await page.click('#signup');
  await waitFor(page, 'an event of release 2', { kind: 'event', name: 'signup', release: r2 });
  const report = (await (await t.api(`${base}/behaviour`)).json()) as {
    releases: { number: number; views: number; events: number; errors: number; feedback: number }[];
  };
  const byNumber = new Map(report.releases.map((r) => [r.number, r]));
  assert.deepEqual(
    [byNumber.get(r1)?.views, byNumber.get(r1)?.errors, byNumber.get(r1)?.feedback],
    [2, 1, 1],
  );
  assert.ok((byNumber.get(r2)?.views ?? 0) >= 1);
  await context.close();
});
