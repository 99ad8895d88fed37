/**
 * `slipway agent` as its own process against a test server, the way the agent tests start it: an
 * agent registered through the API, the Docker backend, and a sweep afterwards of whatever the
 * (often killed) agent left on the engine. One place, so every agent test cleans up the same way.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { type CliProcess, ownerOf, startCli, sweepOwner } from './cli.js';
import { startTestServer, type TestServer } from './server.js';
import { ensureBusyboxImage } from './test-images.js';

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

export interface AgentBench {
  t: TestServer;
  /** The busybox image pipelines run in. */
  image: string;
  /** The stub source's directory (a test may change its files between runs). */
  sourceDir: string;
  /** Every agent started so far, in order. */
  agents: CliProcess[];
  /** Starts one more agent process (killed after 3 minutes at the latest). */
  startAgent: () => CliProcess;
  /** Stops the agents, sweeps what they left, closes the server and removes the source. */
  close: () => Promise<void>;
}

/**
 * What the agent-process tests stand on: a server whose leases expire after 3 s (so a killed
 * agent is noticed quickly), serving the stub source `files`, with agent `agentName` registered.
 */
export async function startAgentBench(opts: {
  agentName: string;
  sourcePrefix: string;
  files: Record<string, string>;
}): Promise<AgentBench> {
  const image = await ensureBusyboxImage(new Dockerode());
  const t = await startTestServer({ SLIPWAY_LEASE_TIMEOUT: '3s' });
  const sourceDir = await stubSource(t, opts.sourcePrefix, opts.files);
  const token = await registerAgent(t, opts.agentName);
  const agents: CliProcess[] = [];
  return {
    t,
    image,
    sourceDir,
    agents,
    startAgent: () => {
      const agent = startDockerAgent(t, token, { cwd: sourceDir, killAfterMs: 180_000 });
      agents.push(agent);
      return agent;
    },
    close: async () => {
      await stopAgents(agents);
      await t.close();
      await rm(sourceDir, { recursive: true, force: true });
    },
  };
}
