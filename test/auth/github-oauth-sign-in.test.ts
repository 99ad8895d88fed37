/**
 * GitHub-style OAuth2 sign-in (GitHub and Gitee offer no OpenID Connect discovery) against a
 * loopback fake of GitHub Enterprise that checks the documented shape: the authorize request
 * (client id, redirect URI, state, S256 PKCE challenge), the token exchange (client secret,
 * code, matching verifier) and the Bearer call to /api/v3/user. Then the new user's session works.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

let fake: Server;
let fakeUrl = '';
let t: TestServer;
const seen: string[] = [];
const codes = new Map<string, { challenge: string; redirect: string }>();

before(async () => {
  fake = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      const json = (status: number, value: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/login/oauth/authorize') {
        const q = url.searchParams;
        seen.push('authorize');
        if (
          q.get('client_id') !== 'gh-client' ||
          q.get('code_challenge_method') !== 'S256' ||
          !q.get('state')
        ) {
          return json(400, { error: 'bad authorize request' });
        }
        codes.set('code-1', {
          challenge: q.get('code_challenge') ?? '',
          redirect: q.get('redirect_uri') ?? '',
        });
        res.writeHead(302, { location: `${q.get('redirect_uri')}?code=code-1&state=${q.get('state')}` });
        return res.end();
      }
      if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
        seen.push('token');
        const form = new URLSearchParams(body);
        const issued = codes.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (
          !issued ||
          form.get('client_id') !== 'gh-client' ||
          form.get('client_secret') !== 'gh-secret' ||
          form.get('redirect_uri') !== issued.redirect ||
          challenge !== issued.challenge
        ) {
          return json(200, { error: 'bad_verification_code' });
        }
        codes.delete(form.get('code') ?? '');
        return json(200, { access_token: 'gho_token', token_type: 'bearer', scope: 'read:user' });
      }
      if (url.pathname === '/api/v3/user') {
        seen.push('user');
        if (req.headers.authorization !== 'Bearer gho_token')
          return json(401, { message: 'Bad credentials' });
        return json(200, { id: 4242, login: 'Octo-Cat', name: 'Octo Cat', email: null });
      }
      json(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  t = await startTestServer({
    SLIPWAY_OIDC_PROVIDERS: JSON.stringify([
      { id: 'github', kind: 'github', baseUrl: fakeUrl, clientId: 'gh-client', clientSecret: 'gh-secret' },
    ]),
  });
});
after(async () => {
  await t.close();
  fake.close();
});

const cookieOf = (res: Response) => (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0] ?? '');

test('GitHub OAuth2: authorize with state and PKCE, token exchange, /user with Bearer → a signed-in user', async () => {
  const providers = (await (await fetch(`${t.url}/api/auth/providers`)).json()) as {
    id: string;
    name: string;
  }[];
  assert.deepEqual(providers, [{ id: 'github', name: 'GitHub', kind: 'github' }]);

  const start = await fetch(`${t.url}/api/auth/oidc/github/start`, { redirect: 'manual' });
  assert.equal(start.status, 302);
  const flowCookie = cookieOf(start).find((c) => c.startsWith('slipway_oidc=')) ?? '';
  assert.ok(flowCookie.length > 20);
  const atForge = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  assert.equal(atForge.status, 302, await atForge.text());
  const back = await fetch(atForge.headers.get('location') ?? '', {
    redirect: 'manual',
    headers: { cookie: flowCookie },
  });
  assert.equal(back.status, 302);
  assert.equal(back.headers.get('location'), '/');
  const session = cookieOf(back).find((c) => c.startsWith('slipway_session=')) ?? '';
  const me = (await (await fetch(`${t.url}/api/me`, { headers: { cookie: session } })).json()) as {
    user: { username: string; role: string };
  };
  assert.deepEqual(me.user, { username: 'octo-cat', role: 'viewer', mustChangePassword: false });
  assert.deepEqual(seen, ['authorize', 'token', 'user']);

  // The same callback again (replayed code): refused, back to the sign-in page.
  const replay = await fetch(atForge.headers.get('location') ?? '', {
    redirect: 'manual',
    headers: { cookie: flowCookie },
  });
  assert.equal(replay.status, 302);
  assert.match(replay.headers.get('location') ?? '', /signin_error=provider_error/);
});

test('an unknown provider is a 404; a bad SLIPWAY_OIDC_PROVIDERS stops the boot naming the problem', async () => {
  assert.equal((await fetch(`${t.url}/api/auth/oidc/nope/start`, { redirect: 'manual' })).status, 404);
  await assert.rejects(
    startTestServer({
      SLIPWAY_OIDC_PROVIDERS: JSON.stringify([{ id: 'x', kind: 'oidc', clientId: 'a', clientSecret: 'b' }]),
    }),
    /SLIPWAY_OIDC_PROVIDERS: provider x: oidc needs "issuer"/,
  );
});
