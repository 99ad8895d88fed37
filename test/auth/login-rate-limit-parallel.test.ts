/**
 * The failed-sign-in limit under parallel guesses: every attempt takes its slot before the
 * (slow, async) password check, so a burst of simultaneous wrong passwords gets at most `limit`
 * checks; the rest are refused with 429 without touching the password. Real HTTP server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LOGIN_WINDOW_MS } from '../../src/server/auth/login-rate-limit.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createUser, login } from '../support/session-client.js';

const PASSWORD = 'a-long-enough-password';
const LIMIT = 10;
const PARALLEL = 60;

/** The same burst against a server on `env` (SQLite by default). */
function parallelBurst(name: string, env: () => Promise<Record<string, string>>): void {
  describe(`sign-in rate limit under parallel requests (${name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ SLIPWAY_LOGIN_RATE_LIMIT: String(LIMIT), ...(await env()) });
      await createUser(t, 'vera', PASSWORD, 'viewer');
    });
    after(() => t?.close());

    test(`${PARALLEL} simultaneous wrong passwords: at most ${LIMIT} are checked, the rest get 429`, async () => {
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => login(t, 'vera', `wrong-${i}`).then((r) => r.status)),
      );
      const checked = answers.filter((s) => s === 401).length;
      const limited = answers.filter((s) => s === 429).length;
      assert.equal(checked + limited, PARALLEL, `only 401/429 expected: ${answers.join(',')}`);
      assert.ok(checked <= LIMIT, `${checked} wrong passwords were checked (limit ${LIMIT})`);
      assert.ok(checked >= 1, 'the first attempts are checked');

      // The right password is refused too until the window has passed...
      const right = await login(t, 'vera', PASSWORD);
      assert.equal(right.status, 429);
      assert.ok(Number(right.headers.get('retry-after')) > 0);

      // ...and accepted once it has (the recorded attempts are moved out of the window).
      const db = t.server.ctx.db;
      const rows = await db.selectFrom('login_attempts').select(['id', 'at']).execute();
      for (const row of rows) {
        await db
          .updateTable('login_attempts')
          .set({ at: row.at - LOGIN_WINDOW_MS - 1000 })
          .where('id', '=', row.id)
          .execute();
      }
      assert.equal((await login(t, 'vera', PASSWORD)).status, 200);
    });
  });
}

parallelBurst('SQLite', async () => ({}));

describe('on PostgreSQL', () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(async () => {
    await cluster?.stop();
  });
  parallelBurst('PostgreSQL', async () => ({ SLIPWAY_DATABASE_URL: await cluster.createDatabase('login') }));
});
