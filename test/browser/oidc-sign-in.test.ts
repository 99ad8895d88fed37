/**
 * Sign-in with OpenID Connect through the whole flow in Chromium: a real provider (oidc-provider)
 * and a real Slipway server on loopback. A new person signs in with the provider and becomes a
 * user with the provider's default role; a local user (password sign-in still works) links the
 * provider from a signed-in session and can then sign in with it; state, nonce and PKCE are
 * checked by openid-client on the way.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startIssuer, type TestIssuer } from '../auth/oidc-provider-fixture.js';
import { launchChromium, newContext, signIn } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ensureWebBuilt } from '../support/web-build.js';

let issuer: TestIssuer;
let t: TestServer;
let browser: Browser;

before(async () => {
  await ensureWebBuilt();
  const port = await freePort();
  const callback = `http://127.0.0.1:${port}/api/auth/oidc/corp/callback`;
  issuer = await startIssuer({
    clientId: 'slipway',
    clientSecret: 'client-secret-123',
    redirectUris: [callback],
  });
  t = await startTestServer({
    SLIPWAY_PORT: String(port),
    SLIPWAY_OIDC_PROVIDERS: JSON.stringify([
      {
        id: 'corp',
        kind: 'oidc',
        name: 'Corp SSO',
        issuer: issuer.issuer,
        clientId: 'slipway',
        clientSecret: 'client-secret-123',
        defaultRole: 'maintainer',
      },
    ]),
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
  await issuer?.close();
});

/** At the provider's development pages: log in as `login` and consent. */
async function providerLogin(page: Page, login: string): Promise<void> {
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('button[type=submit]:has-text("Continue")');
  await page.click('button[type=submit]');
}

async function me(page: Page): Promise<{ user: { username: string; role: string } } | null> {
  return page.evaluate(async () => {
    const res = await fetch('/api/me');
    return res.ok ? ((await res.json()) as { user: { username: string; role: string } }) : null;
  });
}

test('a new person signs in with the OIDC provider in Chromium and gets the default role', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(t.url);
  await page.click('a[data-provider="corp"]');
  await providerLogin(page, 'mei');
  // Back in Slipway, signed in: the sign-in form is gone and the app shows.
  await page.waitForURL(`${t.url}/`);
  await page.waitForSelector('select[data-testid=lang]');
  assert.equal(await page.locator('input[name="password"]').count(), 0);
  assert.deepEqual((await me(page))?.user, {
    username: 'mei',
    role: 'maintainer',
    mustChangePassword: false,
  });
  const identity = await t.server.ctx.db
    .selectFrom('user_identities')
    .selectAll()
    .where('provider', '=', 'corp')
    .where('subject', '=', 'mei')
    .executeTakeFirstOrThrow();
  assert.equal(identity.email, 'mei@example.com');
  await context.close();
});

test('a local user still signs in with a password, links the provider, then signs in with it', async () => {
  const created = await t.api('/api/users', {
    method: 'POST',
    body: JSON.stringify({ username: 'linda', password: 'local-password-123', role: 'viewer' }),
  });
  assert.equal(created.status, 201);
  const first = await newContext(browser);
  const page = await first.newPage();
  await signIn(page, t.url, 'linda', 'local-password-123');
  await page.goto(`${t.url}/api/auth/oidc/corp/start?link=1&returnTo=/`);
  await providerLogin(page, 'linda-at-corp');
  await page.waitForURL(`${t.url}/`);
  assert.equal((await me(page))?.user.username, 'linda');
  await first.close();

  // A fresh browser: the provider account now signs in as the linked local user.
  const second = await newContext(browser);
  const again = await second.newPage();
  await again.goto(t.url);
  await again.click('a[data-provider="corp"]');
  await providerLogin(again, 'linda-at-corp');
  await again.waitForURL(`${t.url}/`);
  assert.deepEqual((await me(again))?.user, { username: 'linda', role: 'viewer', mustChangePassword: false });
  await second.close();
});

test('a callback without the flow cookie (forged or replayed) is refused back to the sign-in page', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${t.url}/api/auth/oidc/corp/callback?code=forged&state=forged`);
  await page.waitForSelector('[role=alert]');
  assert.match((await page.locator('[role=alert]').textContent()) ?? '', /took too long|started elsewhere/);
  assert.equal(await me(page), null);
  await context.close();
});
