/**
 * `slipway agent` as its own process against a test server, the way the agent tests start it: an
 * agent registered through the API, the Docker backend, and a sweep afterwards of whatever the
 * (often killed) agent left on the engine. One place, so every agent test cleans up the same way.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import { type CliProcess, ownerOf, startCli, sweepOwner } from './cli.js';
import type { TestServer } from './server.js';

/** Registers agent `name` through the API, as an admin would; returns its token. */
export async function registerAgent(t: TestServer, name: string): Promise<string> {
  const res = await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name }) });
  if (!res.ok) throw new Error(`registering agent ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** `slipway agent --backend docker` leasing from `t` with `token`, run in `cwd`. */
export function startDockerAgent(
  t: TestServer,
  token: string,
  opts: { cwd: string; killAfterMs: number },
): CliProcess {
  return startCli(['agent', '--server', t.url, '--token', token, '--backend', 'docker'], opts);
}

/** Stops the agents with `signal`, waits for them to exit and removes what they left on the engine. */
export async function stopAgents(agents: CliProcess[], signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  for (const agent of agents) agent.kill(signal);
  await Promise.all(agents.map((a) => a.done.catch(() => {})));
  for (const agent of agents) await sweepOwner(ownerOf(agent.pid)).catch(() => {});
}

/**
 * A temp directory with `files` (relative path → content) that the server hands agents as the
 * whole source of every run: its tar is the archive, and no git checkout (`clone:`) is made.
 */
export async function stubSource(
  t: TestServer,
  prefix: string,
  files: Record<string, string>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  t.server.ctx.sources.archive = async () => pack(dir) as unknown as Readable;
  t.server.ctx.sources.checkout = undefined;
  return dir;
}
