/**
 * Helpers of the collect tests: a project with an application (staging + production, no
 * deploys), its behaviour site, and posting to the public endpoint from a chosen loopback
 * address (127.0.0.x), so rate limits and visitor hashes of one test do not touch another's.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { TestServer } from '../support/server.js';

export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A raw HTTP request (no fetch: it could not pick the local address or send any Origin). */
export function send(
  url: string,
  opts: { method?: string; path: string; body?: string; headers?: Record<string, string>; from?: string },
): Promise<Answer> {
  const target = new URL(opts.path, url);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: opts.method ?? 'POST',
        localAddress: opts.from ?? '127.0.0.1',
        headers: { 'user-agent': BROWSER_UA, ...opts.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** POSTs one event as the script would (text/plain, like sendBeacon). */
export function collect(
  url: string,
  body: Record<string, unknown>,
  opts: { origin?: string; from?: string; ua?: string; contentType?: string; path?: string } = {},
): Promise<Answer> {
  return send(url, {
    path: opts.path ?? '/api/collect',
    body: JSON.stringify(body),
    from: opts.from,
    headers: {
      'content-type': opts.contentType ?? 'text/plain;charset=UTF-8',
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.ua ? { 'user-agent': opts.ua } : {}),
    },
  });
}

export interface Fixture {
  project: string;
  app: string;
  base: string;
  siteKey: string;
  applicationId: string;
  environments: Record<string, string>;
}

/** A project + application with staging and production, and a site for the given origins. */
export async function createSite(
  t: TestServer,
  origins: { origin: string; environment: string | null }[],
  feedbackEnabled = true,
): Promise<Fixture> {
  const project = `col${randomUUID().slice(0, 8)}`;
  const app = 'web';
  const created = await t.api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({ name: project, source: { kind: 'builtin' }, visibility: 'internal' }),
  });
  assert.equal(created.status, 201, await created.text());
  const environments = ['staging', 'production'].map((name) => ({
    name,
    target: 'docker',
  }));
  const appRes = await t.api(`/api/projects/${project}/applications`, {
    method: 'POST',
    body: JSON.stringify({ name: app, environments }),
  });
  assert.equal(appRes.status, 201, await appRes.text());
  const base = `/api/projects/${project}/applications/${app}`;
  const site = await t.api(`${base}/collect-site`, {
    method: 'PUT',
    body: JSON.stringify({ origins, feedbackEnabled }),
  });
  const text = await site.text();
  assert.equal(site.status, 200, text);
  const siteKey = (JSON.parse(text) as { siteKey: string }).siteKey;
  const { db } = t.server.ctx;
  const application = await db
    .selectFrom('applications as a')
    .innerJoin('projects as p', 'p.id', 'a.project_id')
    .select('a.id')
    .where('p.name', '=', project)
    .executeTakeFirstOrThrow();
  const envRows = await db
    .selectFrom('environments')
    .select(['id', 'name'])
    .where('application_id', '=', application.id)
    .execute();
  return {
    project,
    app,
    base,
    siteKey,
    applicationId: application.id,
    environments: Object.fromEntries(envRows.map((e) => [e.name, e.id])),
  };
}

/** Polls `fn` until it returns true (bounded; the endpoint writes behind, in batches). */
export async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
