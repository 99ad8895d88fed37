import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { runAgent } from '../agent/agent.js';
import { agentLabels } from '../agent/host-labels.js';
import { HttpTransport } from '../agent/http-transport.js';
import { agentScope, isOwnerAlive, ownerLabels } from '../agent/owner.js';
import { reapStale } from '../backends/docker/cleanup.js';
import { detectSwarmPublishMode } from '../deploy/swarm-publish-mode.js';
import { parseLabelList } from '../domain/agent-labels.js';
import { parseDuration } from '../domain/duration.js';
import { AgentRefusedError } from '../protocol/agent-transport.js';
import { DEFAULT_MAX_PARALLEL_JOBS } from '../runtime/run-pipeline.js';
import { type BackendChoice, chooseBackend } from './choose-backend.js';
import type { CliIO } from './exec.js';
import { packageVersion } from './package-version.js';
import { UsageError } from './usage-error.js';

export const AGENT_USAGE = `usage: slipway agent --server URL --token T [options]
  Leases runs from a Slipway server and executes them here (in containers by default).
  --server URL          the server's address (or SLIPWAY_SERVER)
  --token T             this agent's token, from POST /api/agents (or SLIPWAY_AGENT_TOKEN — keeps it out of ps)
  --capacity N          runs executed at once (default 1)
  --max-parallel-jobs N jobs of one run started at once (default 8)
  --backend B           docker | local | auto (default auto: Docker when the engine answers)
  --workspace-retention D  keep workspaces of unsuccessful runs this long, for resume (default 24h)
  --label K=V           a label runs can select with runs_on (repeatable; or SLIPWAY_AGENT_LABELS=k=v,k2=v2);
                        os and arch of this host are labels already
  --publish-host IP     interface deployed applications' published ports listen on
                        (or SLIPWAY_PUBLISH_HOST; default 0.0.0.0 = every interface; 127.0.0.1 = this host only)
  Ctrl-C / SIGTERM stops leasing and cancels running runs; a second one quits at once.`;

/** Signals the agent stops on; `io.interrupts` is the process itself outside tests. */
type Signals = {
  on(event: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
};

/** `slipway agent`: exit 0 when stopped by a signal, 1 when the server refuses the agent. */
export async function agentCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      capacity: { type: 'string' },
      'max-parallel-jobs': { type: 'string' },
      backend: { type: 'string' },
      'workspace-retention': { type: 'string' },
      'publish-host': { type: 'string' },
      label: { type: 'string', multiple: true },
    },
  });
  const server = values.server ?? io.env.SLIPWAY_SERVER;
  const token = values.token ?? io.env.SLIPWAY_AGENT_TOKEN;
  if (!server) throw new UsageError(`--server is required\n\n${AGENT_USAGE}`);
  if (!/^https?:\/\/[^/]/.test(server))
    throw new UsageError(`--server must be an http(s) URL; got "${server}"`);
  if (!token) throw new UsageError(`--token (or SLIPWAY_AGENT_TOKEN) is required\n\n${AGENT_USAGE}`);
  const capacity = Number(values.capacity ?? 1);
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 64)
    throw new UsageError(`--capacity must be a whole number from 1 to 64; got "${values.capacity}"`);
  const maxParallelJobs = Number(values['max-parallel-jobs'] ?? DEFAULT_MAX_PARALLEL_JOBS);
  if (!Number.isInteger(maxParallelJobs) || maxParallelJobs < 1 || maxParallelJobs > 256)
    throw new UsageError(
      `--max-parallel-jobs must be a whole number from 1 to 256; got "${values['max-parallel-jobs']}"`,
    );
  const choice = (values.backend ?? 'auto') as BackendChoice;
  if (!['docker', 'local', 'auto'].includes(choice))
    throw new UsageError(`--backend must be docker, local or auto; got "${values.backend}"`);
  const retention = parseDuration(values['workspace-retention'] ?? '24h');
  if (retention === null)
    throw new UsageError(
      `--workspace-retention expects a duration like 12h; got "${values['workspace-retention']}"`,
    );

  const publishHost = values['publish-host'] ?? io.env.SLIPWAY_PUBLISH_HOST ?? '0.0.0.0';
  if (isIP(publishHost) === 0)
    throw new UsageError(
      `--publish-host (or SLIPWAY_PUBLISH_HOST) must be an IP address of this host, e.g. 0.0.0.0 or 127.0.0.1; got "${publishHost}"`,
    );

  const labelItems = values.label ?? (io.env.SLIPWAY_AGENT_LABELS ?? '').split(',');
  const declared = parseLabelList(labelItems);
  if ('problem' in declared) throw new UsageError(`--label: ${declared.problem}`);
  const labels = agentLabels(declared.labels);

  const scope = agentScope(token);
  const chosen = await chooseBackend(choice, io.env.DOCKER_HOST, scope);
  if (chosen.warning) io.stderr(`\n  ⚠  ${chosen.warning}\n\n`);
  const log = (message: string) => io.stdout(`${new Date().toISOString()} ${message}\n`);
  if (chosen.docker) {
    // Containers of an agent that died here (kill -9, OOM) are still running: remove them,
    // keeping their workspaces for resume (pruned by age).
    const reaped = await reapStale(chosen.docker, isOwnerAlive, { keepWorkspace: true, scope });
    if (reaped.length > 0) log(`removed the containers of ${reaped.length} run(s) left by a stopped agent`);
  }

  const stop = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.stderr('\nstopping: canceling running runs (again to quit at once)…\n');
    stop.abort();
  };
  const signals = io.interrupts as Signals | undefined;
  signals?.on('SIGINT', onSignal);
  signals?.on('SIGTERM', onSignal);
  log(
    `slipway agent: waiting for work from ${server} (capacity ${capacity}, ${chosen.backend.name} backend, labels ${Object.entries(
      labels,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(',')})`,
  );
  try {
    await runAgent({
      transport: new HttpTransport({ server, token, labels, info: { version: packageVersion(), capacity } }),
      backend: chosen.backend,
      capacity,
      maxParallelJobs,
      signal: stop.signal,
      log,
      labels: ownerLabels(),
      workspaceRetentionMs: retention,
      docker: chosen.docker ?? null,
      swarmPublish: detectSwarmPublishMode(io.env.SLIPWAY_SWARM_PUBLISH),
      publishHost,
    });
    log('slipway agent: stopped');
    return 0;
  } catch (error) {
    if (error instanceof AgentRefusedError) {
      io.stderr(`slipway agent: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    signals?.off('SIGINT', onSignal);
    signals?.off('SIGTERM', onSignal);
  }
}
