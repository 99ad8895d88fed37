import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

test('every answer carries a CSP without inline scripts, nosniff and no framing', async () => {
  for (const [path, auth] of [
    ['/healthz', true],
    ['/api/projects', true],
    ['/api/projects', false],
    ['/no/such/route', true],
  ] as const) {
    const res = auth ? await t.api(path) : await fetch(`${t.url}${path}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
  }
});
