/**
 * A bounded keep-alive load loop for traffic tests: `concurrency` workers send back-to-back
 * requests over one keep-alive agent until stopped, counting answers per version (the
 * `x-release` header the test app sets) and network failures apart.
 */
import { Agent, request } from 'node:http';

export interface VersionCount {
  ok: number;
  failed: number;
}

export interface LoadResult {
  byRelease: Map<string, VersionCount>;
  /** Requests that got no HTTP answer at all (refused, reset, timed out). */
  networkFailures: number;
  sent: number;
  /** TCP connections the client opened: few, since keep-alive reuses them. */
  connections: number;
}

export function loadLoop(
  port: number,
  opts: { path?: string; concurrency?: number; maxMs?: number } = {},
): { stop: () => Promise<LoadResult> } {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency ?? 2 });
  const result: LoadResult = { byRelease: new Map(), networkFailures: 0, sent: 0, connections: 0 };
  let stopped = false;
  const deadline = Date.now() + (opts.maxMs ?? 180_000);
  const one = () =>
    new Promise<void>((resolve) => {
      result.sent++;
      const req = request(
        { host: '127.0.0.1', port, path: opts.path ?? '/work', agent, timeout: 5_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            const release = String(res.headers['x-release'] ?? '?');
            const c = result.byRelease.get(release) ?? { ok: 0, failed: 0 };
            if ((res.statusCode ?? 0) < 500) c.ok++;
            else c.failed++;
            result.byRelease.set(release, c);
            resolve();
          });
        },
      );
      req.on('socket', (socket) => {
        if (!(socket as { counted?: boolean }).counted) {
          (socket as { counted?: boolean }).counted = true;
          result.connections++;
        }
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        result.networkFailures++;
        resolve();
      });
      req.end();
    });
  const workers = Array.from({ length: opts.concurrency ?? 2 }, async () => {
    while (!stopped && Date.now() < deadline) {
      await one();
      // A breath between requests keeps the shared machine usable; still a hundred or more per second.
      await new Promise((r) => setTimeout(r, 2));
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      agent.destroy();
      return result;
    },
  };
}

export function total(result: LoadResult, release: string): number {
  const c = result.byRelease.get(release);
  return c ? c.ok + c.failed : 0;
}
