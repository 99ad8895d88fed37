/**
 * Issue #11 benchmark: a 100 MB artifact uploaded through the agent API and downloaded through
 * the user API of a real `slipway server` child process, over loopback. Reports MB/s of each
 * (median of ROUNDS) beside a bare baseline — a plain Node HTTP server on the same machine that
 * streams the same bytes to a file and back — and the server's RSS before, at its peak during
 * the transfers, and after (flat means the archive is streamed, never held).
 * Run: `npx tsx bench/artifacts.ts` (ROUNDS=N, MB=N). Prints Markdown for BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { createAdminToken, startSlipwayServer } from '../test/support/slipway-server.js';
import { rss, waitFor } from './process-probes.js';
import { median } from './stats.js';

const rounds = Number(process.env.ROUNDS ?? 3);
const megabytes = Number(process.env.MB ?? 100);
const work = mkdtempSync(join(tmpdir(), 'slipway-artifacts-bench-'));
const archive = join(work, 'artifact.tar.gz');

// The archive: one file of incompressible bytes, gzipped at level 1 like the agent does.
{
  const tar = pack();
  const size = megabytes * 1024 * 1024;
  const sink = tar.entry({ name: 'dist/blob.bin', size });
  const writing = pipeline(
    tar as unknown as NodeJS.ReadableStream,
    createGzip({ level: 1 }),
    createWriteStream(archive),
  );
  for (let left = size; left > 0; left -= 1024 * 1024) sink.write(randomBytes(Math.min(left, 1024 * 1024)));
  (sink as unknown as NodeJS.WritableStream).end();
  tar.finalize();
  await writing;
}
const bytes = statSync(archive).size;
const mbps = (ms: number) => bytes / 1024 / 1024 / (ms / 1000);

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function drain(res: Response): Promise<void> {
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  for await (const _ of Readable.fromWeb(res.body as never)) {
    // read to the end
  }
}

// Bare baseline: a plain HTTP server streaming to a file and back.
const bareFile = join(work, 'bare.bin');
const bare = createServer((req, res) => {
  if (req.method === 'PUT') {
    pipeline(req, createWriteStream(bareFile)).then(() => res.end('{}'));
  } else pipeline(createReadStream(bareFile, { highWaterMark: 1024 * 1024 }), res).catch(() => {});
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/x`;

const password = 'bench-password-0123456789';
const server = await startSlipwayServer({
  password,
  killAfterMs: 3_600_000,
  env: { SLIPWAY_LOG_LEVEL: 'silent', SLIPWAY_EMBEDDED_AGENT: 'false' },
});
const repo = mkdtempSync(join(tmpdir(), 'slipway-artifacts-bench-repo-'));
try {
  const token = await createAdminToken(server.url, password, 'bench');
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  await api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({ name: 'bench', source: { kind: 'builtin' } }),
  });
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=b', '-c', 'user.email=b@x', ...args]);
  git('init', '-q', '-b', 'main');
  writeFileSync(
    join(repo, '.slipway.yml'),
    'version: 1\nimage: busybox\nstages:\n  - name: b\n    jobs:\n      build: { script: [make] }\n',
  );
  git('add', '.');
  git('commit', '-q', '-m', 'bench');
  git('push', '-q', `http://admin:${token}@127.0.0.1:${server.port}/git/bench.git`, 'main');
  const agent = (await (
    await api('/api/agents', { method: 'POST', body: JSON.stringify({ name: 'bench' }) })
  ).json()) as { token: string };
  const agentHeaders = { authorization: `Bearer ${agent.token}`, 'x-slipway-protocol': '1' };
  let lease: { leaseId: string } | null = null;
  await waitFor(async () => {
    const res = await fetch(`${server.url}/api/agent/lease`, {
      method: 'POST',
      headers: { ...agentHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ waitMs: 1000 }),
    });
    if (res.status === 200) lease = (await res.json()) as { leaseId: string };
    return lease !== null;
  }, 30_000);
  const leaseId = (lease as unknown as { leaseId: string }).leaseId;
  const heartbeat = setInterval(() => {
    void fetch(`${server.url}/api/agent/leases/${leaseId}/heartbeat`, {
      method: 'POST',
      headers: agentHeaders,
    });
  }, 2000);

  const upload = (url: string, headers: Record<string, string>) =>
    timed(async () => {
      const res = await fetch(url, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/gzip' },
        body: Readable.toWeb(createReadStream(archive, { highWaterMark: 1024 * 1024 })) as never,
        duplex: 'half',
      } as RequestInit);
      if (!res.ok) throw new Error(`upload: HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    });
  const ours = { up: [] as number[], down: [] as number[] };
  const base = { up: [] as number[], down: [] as number[] };
  const rssBefore = rss(server.proc.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rss(server.proc.pid));
  }, 20);
  for (let i = 0; i < rounds; i++) {
    // Interleaved: bare, ours, bare, ours — the machine's load hits both alike.
    base.up.push(await upload(bareUrl, {}));
    base.down.push(await timed(async () => drain(await fetch(bareUrl))));
    ours.up.push(await upload(`${server.url}/api/agent/leases/${leaseId}/artifacts/build`, agentHeaders));
    ours.down.push(
      await timed(async () => drain(await api('/api/projects/bench/runs/1/artifacts/build/archive'))),
    );
  }
  clearInterval(sampler);
  clearInterval(heartbeat);
  const rssAfter = rss(server.proc.pid);
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  const row = (what: string, o: number[], b: number[]) =>
    `| ${what} | ${mbps(median(o)).toFixed(0)} MB/s | ${mbps(median(b)).toFixed(0)} MB/s | ${(median(b) / median(o)).toFixed(2)} |`;
  console.log(
    `### Artifacts: ${(bytes / 1024 / 1024).toFixed(0)} MB archive over loopback (median of ${rounds})\n`,
  );
  console.log(
    '| transfer | slipway server | bare Node HTTP (same bytes, to/from a file) | ratio (slipway/bare) |',
  );
  console.log('|---|---|---|---|');
  console.log(row('upload (agent API, checked entry by entry while streaming to disk)', ours.up, base.up));
  console.log(row('download (user API, the stored .tar.gz)', ours.down, base.down));
  console.log(
    `\nServer RSS: before ${mb(rssBefore)}, peak during the transfers ${mb(rssPeak)}, after ${mb(rssAfter)}.`,
  );
} finally {
  await server.stop();
  bare.close();
  rmSync(repo, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
