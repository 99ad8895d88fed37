/**
 * The public collect endpoint on a real server (SQLite): site settings, CORS for declared
 * origins only, text/plain beacons, field errors, size cap, bots, rate limits, feedback spam
 * limits and the inbox, and `/s.js` itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { collect, createSite, type Fixture, send, until } from './collect-support.js';

const PAGE = 'https://shop.example.com';
const STAGING = 'https://staging.shop.example.com';
let t: TestServer;
let f: Fixture;

before(async () => {
  t = await startTestServer({
    SLIPWAY_COLLECT_RATE_PER_ADDRESS: '20',
    SLIPWAY_COLLECT_FEEDBACK_PER_HOUR: '2',
  });
  f = await createSite(t, [
    { origin: PAGE, environment: null },
    { origin: STAGING, environment: 'staging' },
  ]);
});
after(() => t?.close());

async function report(query = ''): Promise<{
  totals: { visitors: number; views: number; events: number; errors: number };
  pages: { path: string; views: number }[];
  referrers: { host: string; views: number }[];
  events: { name: string; count: number }[];
  errors: { message: string; count: number }[];
}> {
  const res = await t.api(`${f.base}/behaviour${query}`);
  assert.equal(res.status, 200);
  return (await res.json()) as never;
}

test('site settings: maintainers change them, origins are checked, the snippet names the key', async () => {
  const got = (await (await t.api(`${f.base}/collect-site`)).json()) as {
    snippet: string;
    origins: unknown[];
  };
  assert.match(
    got.snippet,
    new RegExp(`<script defer src="http://127\\.0\\.0\\.1:\\d+/s\\.js" data-site="${f.siteKey}"></script>`),
  );
  assert.deepEqual(got.origins, [
    { origin: PAGE, environment: null },
    { origin: STAGING, environment: 'staging' },
  ]);
  const bad = await t.api(`${f.base}/collect-site`, {
    method: 'PUT',
    body: JSON.stringify({ origins: [{ origin: 'https://x.example.com/path' }] }),
  });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { where: string } }).error.where, 'body.origins.0.origin');
  const noEnv = await t.api(`${f.base}/collect-site`, {
    method: 'PUT',
    body: JSON.stringify({ origins: [{ origin: PAGE, environment: 'qa' }] }),
  });
  assert.equal(noEnv.status, 400);
  assert.match(await noEnv.text(), /no environment \\"qa\\"/);
  const viewer = await createUserWithToken(t.server, `viewer-${Date.now()}`, 'viewer');
  const refused = await t.api(`${f.base}/collect-site`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${viewer}` },
    body: JSON.stringify({ origins: [] }),
  });
  assert.equal(refused.status, 403);
});

test('a beacon (text/plain) from a declared origin is stored with path, referrer host and environment', async () => {
  const from = '127.0.0.2';
  const view = await collect(
    t.url,
    {
      site: f.siteKey,
      kind: 'pageview',
      url: `${PAGE}/pricing?utm=x#top`,
      referrer: 'https://news.example.org/item?id=1',
    },
    { origin: PAGE, from },
  );
  assert.equal(view.status, 202, view.text);
  assert.equal(view.headers['access-control-allow-origin'], PAGE);
  assert.equal(view.headers['set-cookie'], undefined);
  const event = await collect(
    t.url,
    { site: f.siteKey, kind: 'event', url: `${STAGING}/pricing`, name: 'signup', props: { plan: 'pro' } },
    { origin: STAGING, from, contentType: 'application/json' },
  );
  assert.equal(event.status, 202, event.text);
  await until(
    'two events stored',
    async () => (await report()).totals.views + (await report()).totals.events === 2,
  );
  const rows = await t.server.ctx.db
    .selectFrom('behaviour_events')
    .selectAll()
    .where('application_id', '=', f.applicationId)
    .orderBy('kind', 'desc')
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.kind, r.path, r.referrer, r.name, r.props, r.environment_id]),
    [
      ['pageview', '/pricing', 'news.example.org', null, null, f.environments.production],
      ['event', '/pricing', null, 'signup', '{"plan":"pro"}', f.environments.staging],
    ],
  );
  // One person (same address, same browser) is one visitor, and the hash is no address.
  assert.equal(rows[0]?.visitor, rows[1]?.visitor);
  assert.doesNotMatch(rows[0]?.visitor ?? '', /127/);
});

test('an undeclared origin is refused (no CORS header), also in the preflight; nothing is stored', async () => {
  const before = (await report()).totals;
  const refused = await collect(
    t.url,
    { site: f.siteKey, kind: 'pageview', url: 'https://evil.example.net/' },
    { origin: 'https://evil.example.net', from: '127.0.0.3' },
  );
  assert.equal(refused.status, 403);
  assert.equal(refused.headers['access-control-allow-origin'], undefined);
  assert.match(refused.text, /origin_not_declared/);
  const noOrigin = await collect(
    t.url,
    { site: f.siteKey, kind: 'pageview', url: `${PAGE}/` },
    { from: '127.0.0.3' },
  );
  assert.equal(noOrigin.status, 403);
  const preflight = (origin: string) =>
    send(t.url, {
      method: 'OPTIONS',
      path: '/api/collect',
      from: '127.0.0.3',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
  const ok = await preflight(PAGE);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers['access-control-allow-origin'], PAGE);
  const no = await preflight('https://evil.example.net');
  assert.equal(no.status, 403);
  assert.equal(no.headers['access-control-allow-origin'], undefined);
  assert.deepEqual((await report()).totals, before);
});

test('bad input: a 400 naming the field, 413 beyond 8 KB, an unknown site key', async () => {
  const from = '127.0.0.4';
  const missing = await collect(t.url, { site: f.siteKey, url: `${PAGE}/` }, { origin: PAGE, from });
  assert.equal(missing.status, 400);
  assert.equal((JSON.parse(missing.text) as { error: { where: string } }).error.where, 'body.kind');
  const noName = await collect(
    t.url,
    { site: f.siteKey, kind: 'event', url: `${PAGE}/` },
    { origin: PAGE, from },
  );
  assert.equal(noName.status, 400);
  assert.match(noName.text, /body\.name: required for kind \\"event\\"/);
  const notJson = await send(t.url, {
    path: '/api/collect',
    body: '{nope',
    from,
    headers: { origin: PAGE, 'content-type': 'text/plain' },
  });
  assert.equal(notJson.status, 400);
  const huge = await collect(
    t.url,
    { site: f.siteKey, kind: 'event', url: `${PAGE}/`, name: 'x', props: { a: 'y'.repeat(9000) } },
    { origin: PAGE, from },
  );
  assert.equal(huge.status, 413);
  assert.match(huge.text, /too_large/);
  const unknown = await collect(
    t.url,
    { site: 's_unknownkey123', kind: 'pageview', url: `${PAGE}/` },
    { origin: PAGE, from },
  );
  assert.equal(unknown.status, 400);
  assert.match(unknown.text, /body\.site/);
});

test('bots are answered 202 but not counted; automation counts only when the page allows it', async () => {
  const from = '127.0.0.5';
  const before = (await report()).totals.views;
  const bots = [
    { ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
    { ua: 'curl/8.5.0' },
    {
      ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
    },
    { webdriver: true },
  ];
  for (const bot of bots) {
    const res = await collect(
      t.url,
      {
        site: f.siteKey,
        kind: 'pageview',
        url: `${PAGE}/bot`,
        ...(bot.webdriver ? { webdriver: true } : {}),
      },
      { origin: PAGE, from, ...(bot.ua ? { ua: bot.ua } : {}) },
    );
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(JSON.parse(res.text), { stored: false });
  }
  const allowed = await collect(
    t.url,
    { site: f.siteKey, kind: 'pageview', url: `${PAGE}/e2e`, webdriver: true, automation: true },
    { origin: PAGE, from, ua: bots[2]?.ua as string },
  );
  assert.deepEqual(JSON.parse(allowed.text), { stored: true });
  await until('the allowed automated view', async () => (await report()).totals.views === before + 1);
  assert.ok(!(await report()).pages.some((p) => p.path === '/bot'));
});

test('rate limit per client address: 429 with a reason, other addresses unaffected', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 22; i++) {
    const res = await collect(
      t.url,
      { site: f.siteKey, kind: 'event', url: `${PAGE}/`, name: 'click' },
      { origin: PAGE, from: '127.0.0.6' },
    );
    statuses.push(res.status);
    if (res.status === 429) assert.match(res.text, /address_rate/);
  }
  assert.equal(statuses.filter((s) => s === 202).length, 20);
  assert.equal(statuses.filter((s) => s === 429).length, 2);
  const other = await collect(
    t.url,
    { site: f.siteKey, kind: 'event', url: `${PAGE}/`, name: 'click' },
    { origin: PAGE, from: '127.0.0.7' },
  );
  assert.equal(other.status, 202);
});

test('feedback: stored with its page, honeypot and per-visitor limits, inbox filters and resolving', async () => {
  const from = '127.0.0.8';
  const post = (body: Record<string, unknown>) =>
    collect(
      t.url,
      { site: f.siteKey, url: `${PAGE}/checkout?card=1`, ...body },
      { origin: PAGE, from, path: '/api/collect/feedback' },
    );
  const ok = await post({ message: 'The pay button does nothing', rating: 2, contact: 'ana@example.com' });
  assert.equal(ok.status, 202, ok.text);
  assert.deepEqual(JSON.parse((await post({ message: 'cheap pills', website: 'http://spam' })).text), {
    stored: false,
  });
  const tooLong = await post({ message: 'x'.repeat(2001) });
  assert.equal(tooLong.status, 400);
  assert.equal((await post({ message: 'Second one', rating: 5 })).status, 202);
  const limited = await post({ message: 'Third one' });
  assert.equal(limited.status, 429);
  assert.match(limited.text, /feedback_rate/);

  const inbox = async (q: string) =>
    (
      (await (await t.api(`${f.base}/feedback${q}`)).json()) as {
        messages: {
          id: string;
          message: string;
          page: string;
          rating: number | null;
          resolvedAt: number | null;
        }[];
      }
    ).messages;
  const all = await inbox('');
  assert.deepEqual(all.map((m) => m.message).sort(), ['Second one', 'The pay button does nothing']);
  assert.equal(all.find((m) => m.rating === 2)?.page, `${PAGE}/checkout`);
  assert.deepEqual(
    (await inbox('?rating=2')).map((m) => m.message),
    ['The pay button does nothing'],
  );
  const id = all.find((m) => m.rating === 2)?.id as string;
  const patched = await t.api(`${f.base}/feedback/${id}`, {
    method: 'PATCH',
    body: JSON.stringify({ resolved: true }),
  });
  assert.equal(patched.status, 204);
  assert.deepEqual(
    (await inbox('?resolved=true')).map((m) => m.id),
    [id],
  );
  assert.deepEqual(
    (await inbox('?resolved=false')).map((m) => m.message),
    ['Second one'],
  );

  // Off for the site: the widget's endpoint refuses and the script's config says so.
  await t.api(`${f.base}/collect-site`, {
    method: 'PUT',
    body: JSON.stringify({ origins: [{ origin: PAGE, environment: null }], feedbackEnabled: false }),
  });
  const off = await collect(
    t.url,
    { site: f.siteKey, url: `${PAGE}/`, message: 'hi' },
    { origin: PAGE, from: '127.0.0.9', path: '/api/collect/feedback' },
  );
  assert.equal(off.status, 403);
  const config = await send(t.url, { method: 'GET', path: `/api/collect/sites/${f.siteKey}` });
  assert.deepEqual(JSON.parse(config.text), { feedback: false });
});

test('/s.js: JavaScript with caching headers, no cookie, at most 2 KB gzipped', async () => {
  const res = await send(t.url, { method: 'GET', path: '/s.js' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.match(String(res.headers['cache-control']), /max-age=\d+/);
  assert.equal(res.headers['set-cookie'], undefined);
  const size = gzipSync(Buffer.from(res.text)).length;
  assert.ok(size <= 2048, `s.js is ${size} bytes gzipped`);
  const again = await send(t.url, {
    method: 'GET',
    path: '/s.js',
    headers: { 'if-none-match': String(res.headers.etag) },
  });
  assert.equal(again.status, 304);
});

test('the OpenAPI document lists the public and signed-in behaviour routes', async () => {
  const res = await t.api('/api/openapi.json');
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  for (const path of [
    '/api/collect',
    '/api/collect/feedback',
    '/api/projects/{project}/applications/{app}/collect-site',
    '/api/projects/{project}/applications/{app}/behaviour',
    '/api/projects/{project}/applications/{app}/feedback/{id}',
  ]) {
    assert.ok(
      doc.paths[path],
      `${path} in ${Object.keys(doc.paths)
        .filter((p) => p.includes('coll'))
        .join(', ')}`,
    );
  }
});
