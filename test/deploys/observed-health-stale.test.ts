/**
 * Observed health that goes stale is announced: an agent reports an environment through the
 * agent API, then stops; once the (shortened) staleness window has passed, the server's sweep
 * sends the `environment` event with health `unknown` over the project's SSE stream — exactly
 * once — and a later report is announced again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import { announceStaleObservations } from '../../src/server/deploys/announce-stale-observations.js';
import { observationDeps } from '../../src/server/http/routes/agent-routes.js';
import { createAgent } from '../../src/server/queue/agent-registry.js';
import { freePort } from '../deploy/deploy-support.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createWebApplication, reportEnvironment } from './deploy-fixture.js';

const project = `stale${Date.now().toString(36)}`;
const app = 'web';
const env = 'staging';
let t: TestServer;
let agentToken: string;

before(async () => {
  t = await startTestServer({ SLIPWAY_OBSERVATION_STALE: '1s' });
  agentToken = (await createAgent(t.server.ctx.db, { name: 'reporter', embedded: false, now: Date.now() }))
    .token;
});
after(() => t?.close());

function report(healthy: number): Promise<Response> {
  return reportEnvironment(t.url, agentToken, { project, app, env }, { healthy, releaseId: null });
}

/** The project's SSE stream: `environment` events' health, in arrival order. */
async function subscribe(): Promise<{
  healths: string[];
  waitFor(n: number, what: string): Promise<void>;
  close(): void;
}> {
  const abort = new AbortController();
  const res = await t.api(`/api/projects/${project}/events`, { signal: abort.signal });
  assert.equal(res.status, 200);
  const healths: string[] = [];
  let notify = () => {};
  const parser = createParser({
    onEvent: (e) => {
      if (e.event !== 'environment') return;
      healths.push((JSON.parse(e.data) as { data: { health: string } }).data.health);
      notify();
    },
  });
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
  })().catch(() => {});
  return {
    healths,
    /** Bounded: the sweep runs every second here, so 15 s is far more than it needs. */
    async waitFor(n, what) {
      const deadline = Date.now() + 15_000;
      while (healths.length < n) {
        if (Date.now() > deadline) throw new Error(`${what}: events so far ${JSON.stringify(healths)}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 200);
        });
      }
    },
    close() {
      abort.abort();
      void reading;
    },
  };
}

test('an observation that goes stale is announced as unknown, exactly once', {
  timeout: 60_000,
}, async () => {
  // Nothing is deployed: the agent's reports alone make the environment observed.
  await createWebApplication(t, { project, app, env }, await freePort());

  const stream = await subscribe();
  try {
    assert.equal((await report(1)).status, 200);
    await stream.waitFor(1, 'the report is announced');
    assert.deepEqual(stream.healths, ['healthy']);

    // No more reports: the sweep notices the staleness line being crossed.
    await stream.waitFor(2, 'stale health announced');
    assert.deepEqual(stream.healths, ['healthy', 'unknown']);
    const stored = await t.server.ctx.db
      .selectFrom('environment_observations')
      .select('health')
      .executeTakeFirstOrThrow();
    assert.equal(stored.health, 'unknown', 'stored as announced');
    // Exactly once: a sweep now finds nothing to announce, and none did since (the server's own
    // sweep keeps running every second while this runs).
    assert.equal(await announceStaleObservations(observationDeps(t.server.ctx)), 0);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.deepEqual(stream.healths, ['healthy', 'unknown']);

    // The agent reports again: announced again, and stale again later — once more.
    assert.equal((await report(0)).status, 200);
    await stream.waitFor(3, 'the new report is announced');
    await stream.waitFor(4, 'stale again');
    assert.deepEqual(stream.healths, ['healthy', 'unknown', 'degraded', 'unknown']);
  } finally {
    stream.close();
  }
});
