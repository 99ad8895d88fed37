import { fileURLToPath } from 'node:url';
import { detectSwarmPublishMode } from '../deploy/swarm-publish-mode.js';
import { bootstrap } from '../server/bootstrap.js';
import { ConfigError, loadServerConfig, type ServerConfig } from '../server/config.js';
import { createServer } from '../server/create-server.js';
import { installationId } from '../server/store/installation-id.js';
import { acquireServerLock } from '../server/store/server-lock.js';
import { chooseBackend } from './choose-backend.js';
import { startEmbeddedAgent } from './embedded-agent.js';
import type { CliIO } from './exec.js';
import { UsageError } from './usage-error.js';

/**
 * `slipway server` (what `npm start` runs): the server on its embedded defaults — SQLite in the
 * data directory, the local Docker engine, one embedded agent — plus first-start setup.
 * Runs until SIGINT/SIGTERM, then stops the agent (canceling its runs) and closes cleanly.
 */
export async function serverCommand(argv: string[], io: CliIO & { signal?: AbortSignal }): Promise<number> {
  if (argv.length > 0)
    throw new UsageError(
      `slipway server takes no arguments (configure it with SLIPWAY_* variables); got ${argv.join(' ')}`,
    );
  let config: ReturnType<typeof loadServerConfig>;
  try {
    config = loadServerConfig(io.env, io.cwd);
    // The embedded agent detects its Swarm publish mode on this host; the edge's checks
    // (a Swarm canary needs proxy mode) must know the same mode.
    if (config.embeddedAgent && config.swarmPublish === null)
      config = { ...config, swarmPublish: detectSwarmPublishMode() };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  // One server per data directory; `slipway restore` checks this lock before replacing the database.
  let releaseLock: () => void;
  try {
    releaseLock = acquireServerLock(config.dataDir);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  try {
    return await runServer(config, io);
  } finally {
    releaseLock();
  }
}

async function runServer(config: ServerConfig, io: CliIO & { signal?: AbortSignal }): Promise<number> {
  const server = await createServer(config, { logger: true });
  // First-start setup happens before listening, so nobody can call in before the admin exists.
  const demoDir = fileURLToPath(new URL('../../examples/demo', import.meta.url));
  const first = await bootstrap(server.ctx, { demoDir });
  const url = await server.listen();
  const publicUrl = config.publicUrl ?? url.replace('0.0.0.0', '127.0.0.1');

  let stopAgent: (() => Promise<void>) | null = null;
  if (config.embeddedAgent) {
    // Scoped to this installation: another server on the same engine keeps its workspaces.
    const chosen = await chooseBackend(
      'auto',
      config.dockerHost ?? undefined,
      await installationId(server.ctx.db),
      { maxContainers: config.warmContainers },
    );
    if (chosen.warning) io.stderr(`\n  ⚠  embedded agent: ${chosen.warning}\n`);
    stopAgent = await startEmbeddedAgent(
      server,
      chosen.backend,
      config.agentCapacity,
      chosen.docker,
      config.agentMaxParallelJobs,
    );
  }

  io.stdout(`\nSlipway is running at ${publicUrl}\n`);
  if (first.adminPassword) {
    io.stdout(
      `  first start: sign in as "${first.adminUser}" with the one-time password ${first.adminPassword}\n`,
    );
    io.stdout('  (it is shown only now; change it after signing in)\n');
  }
  if (first.demoProject) {
    io.stdout(
      `  demo project "${first.demoProject}" created; its first run #${first.firstRunNumber ?? 1} has started\n`,
    );
  }
  io.stdout(
    `  push a repository:  git remote add slipway ${publicUrl}/git/<project>.git && git push slipway main\n`,
  );
  io.stdout(
    `  (user: your Slipway user, password: an API token — create one with: slipway login --server ${publicUrl})\n`,
  );
  io.stdout(`  data directory: ${config.dataDir}\n\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    io.signal?.addEventListener('abort', stop, { once: true });
  });
  io.stderr('stopping: finishing the embedded agent and closing the server…\n');
  await stopAgent?.();
  await server.close();
  return 0;
}
