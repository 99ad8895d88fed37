/**
 * A real agent loop inside the test process, leasing from a test server's own queue (no HTTP) and
 * running jobs on the fake backend: the runs of a server test really go queued → leased → ended
 * through the agent code, fast and without Docker.
 */
import { runAgent } from '../../src/agent/agent.js';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import { createAgent } from '../../src/server/queue/agent-registry.js';
import { LocalTransport } from '../../src/server/queue/local-transport.js';
import type { TestServer } from './server.js';

/** Registers agent `name` and starts its loop; the returned function stops it and waits for it. */
export async function startFakeAgent(
  t: TestServer,
  name: string,
  opts: { backend?: FakeBackend; capacity?: number } = {},
): Promise<() => Promise<void>> {
  const { agent } = await createAgent(t.server.ctx.db, { name, embedded: false, now: Date.now() });
  const stop = new AbortController();
  const done = runAgent({
    transport: new LocalTransport(t.server.ctx.queue, agent.id),
    backend: opts.backend ?? new FakeBackend(),
    capacity: opts.capacity ?? 2,
    signal: stop.signal,
    log: () => {},
    // Short waits: a test's runs start and their logs arrive without idling.
    leaseWaitMs: 200,
    logFlushMs: 10,
  });
  return async () => {
    stop.abort();
    await done;
  };
}
