/**
 * The server side of the web UI: hashed assets with a long cache, index.html for client routes
 * (deep links), JSON 404s kept for the API, and a clear 503 page when the UI was not built.
 * A real Fastify app serves real files from a temp directory standing in for web/dist.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandler } from '../../src/server/http/error-handler.js';
import { registerWebRoutes } from '../../src/server/http/routes/web-routes.js';
import { installSecurityHeaders } from '../../src/server/http/security-headers.js';
import { startTestServer, type TestServer } from '../support/server.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

async function webApp(distDir: string): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandler(app);
  installSecurityHeaders(app);
  app.get('/api/ping', async () => ({ pong: true }));
  registerWebRoutes(app, { distDir });
  await app.ready();
  return app;
}

describe('web routes with a built UI', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
    writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dir, 'assets', 'chunk-def456.js'), 'console.log("chunk")');
    writeFileSync(join(dir, 'assets', 'chunk-def456.js.gz'), gzipSync('console.log("chunk")'));
    writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\n');
    writeFileSync(join(tmpdir(), 'slipway-web-secret.txt'), 'outside');
    app = await webApp(dir);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'slipway-web-secret.txt'), { force: true });
  });

  test('/ answers index.html, revalidated every time, under the strict CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.equal(res.body, INDEX);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(String(res.headers['content-security-policy']), /unsafe-inline/);
  });

  test('client routes deep-link: unknown non-API paths answer index.html', async () => {
    for (const url of [
      '/projects/demo',
      '/projects/demo/runs/12?job=unit',
      '/projects/new',
      '/whatever/deep',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, INDEX, url);
    }
  });

  test('hashed assets are served with a year-long immutable cache and their type', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.match(String(js.headers['cache-control']), /max-age=31536000/);
    assert.match(String(js.headers['cache-control']), /immutable/);
    const css = await app.inject({ method: 'GET', url: '/assets/index-abc123.css' });
    assert.match(String(css.headers['content-type']), /text\/css/);
    const head = await app.inject({ method: 'HEAD', url: '/assets/index-abc123.js' });
    assert.equal(head.statusCode, 200);
  });

  test('an asset built with a .gz beside it is sent compressed to browsers that accept gzip', async () => {
    const gz = await app.inject({
      method: 'GET',
      url: '/assets/chunk-def456.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(gz.statusCode, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(String(gz.headers['content-type']), /javascript/);
    assert.match(String(gz.headers.vary), /accept-encoding/i);
    assert.match(String(gz.headers['cache-control']), /immutable/);
    assert.equal(gunzipSync(gz.rawPayload).toString(), 'console.log("chunk")');
    // Without gzip, or for a file built without one, the plain file.
    const plain = await app.inject({ method: 'GET', url: '/assets/chunk-def456.js' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, 'console.log("chunk")');
    const noGz = await app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    assert.equal(noGz.headers['content-encoding'], undefined);
    assert.equal(noGz.body, 'console.log("app")');
  });

  test('a missing asset is a 404, not index.html (a stale page must not run HTML as JS)', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-gone.js' });
    assert.equal(res.statusCode, 404);
    assert.notEqual(res.body, INDEX);
  });

  test('other top-level files of the build are served; paths cannot leave the build', async () => {
    const robots = await app.inject({ method: 'GET', url: '/robots.txt' });
    assert.equal(robots.statusCode, 200);
    assert.equal(robots.body, 'User-agent: *\n');
    for (const url of [
      '/../slipway-web-secret.txt',
      '/%2e%2e/slipway-web-secret.txt',
      '/assets/..%2f..%2fslipway-web-secret.txt',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      assert.doesNotMatch(res.body, /outside/, url);
    }
  });

  test('API paths keep their routes and their JSON 404s', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/ping' });
    assert.deepEqual(ok.json(), { pong: true });
    for (const url of [
      '/api/nope',
      '/api/projects/x/unknown',
      '/git/x.git/info/refs',
      '/healthz',
      '/metrics',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /application\/json/, url);
      assert.equal(res.json().error.code, 'not_found', url);
    }
    const post = await app.inject({ method: 'POST', url: '/projects/demo' });
    assert.equal(post.statusCode, 404);
    assert.equal(post.json().error.code, 'not_found');
  });
});

describe('web routes without a build', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-web-missing-'));
    app = await webApp(join(dir, 'dist'));
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('UI paths answer a 503 page that says to run npm run build:web; the API still works', async () => {
    for (const url of ['/', '/projects/demo']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 503, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /npm run build:web/);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/api/ping' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/api/nope' })).json().error.code, 'not_found');
  });

  test('a build made while the server runs is picked up without a restart', async () => {
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), INDEX);
    const res = await app.inject({ method: 'GET', url: '/projects/demo' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, INDEX);
  });
});

describe('web routes in the real server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  test('registered last: API routes answer as before, unknown API paths are JSON 404s', async () => {
    const me = await server.api('/api/me');
    assert.equal(me.status, 200);
    const missing = await server.api('/api/definitely-not-a-route');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  test('a client route answers HTML (the UI, or the page saying to build it)', async () => {
    const res = await fetch(`${server.url}/projects/demo/runs/1`);
    assert.ok(res.status === 200 || res.status === 503, String(res.status));
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    await res.text();
  });
});
