import type Dockerode from 'dockerode';
import { runAgent } from '../agent/agent.js';
import { agentLabels } from '../agent/host-labels.js';
import { isOwnerAlive, ownerLabels } from '../agent/owner.js';
import type { Backend } from '../backends/backend.js';
import { reapStale } from '../backends/docker/cleanup.js';
import type { SlipwayServer } from '../server/create-server.js';
import { recordEnvironmentReport } from '../server/deploys/environment-observations.js';
import { observationDeps } from '../server/http/routes/agent-routes.js';
import { declareAgentInfo, declareLabels, ensureEmbeddedAgent } from '../server/queue/agent-registry.js';
import { loseLeasesOf } from '../server/queue/lease-loss.js';
import { LocalTransport } from '../server/queue/local-transport.js';
import { installationId } from '../server/store/installation-id.js';
import { recordTrafficReport } from '../server/traffic/traffic-reports.js';
import { packageVersion } from './package-version.js';

/**
 * The server's own agent: the same agent loop as `slipway agent`, talking to the queue
 * in-process instead of over HTTP. Its agent row (embedded=1) is created on first start and
 * reused after; leases that row still holds are from a previous server process and end at once.
 * With `docker`, containers a crashed predecessor left on this host are removed first. Returns `stop`: no more leasing, running runs canceled and reported; call it before
 * closing the server.
 */
export async function startEmbeddedAgent(
  server: SlipwayServer,
  backend: Backend,
  capacity: number,
  docker: Dockerode | null = null,
  maxParallelJobs?: number,
): Promise<() => Promise<void>> {
  const { ctx } = server;
  const log = (message: string) => ctx.log.info(`embedded agent: ${message}`);
  if (docker) {
    // Only this installation's: another server's agent on the same engine judges its own.
    const scope = await installationId(ctx.db);
    const reaped = await reapStale(docker, isOwnerAlive, { keepWorkspace: true, scope }).catch(
      (error: unknown) => {
        ctx.log.warn({ err: error }, 'embedded agent: removing containers left by a crash failed');
        return [];
      },
    );
    if (reaped.length > 0) log(`removed the containers of ${reaped.length} run(s) left by a stopped agent`);
  }
  const agent = await ensureEmbeddedAgent(ctx.db, ctx.now());
  // Declared once: the embedded agent's labels come from the server's config, not a request.
  await declareLabels(ctx.db, agent.id, agentLabels(ctx.config.agentLabels ?? {}));
  await declareAgentInfo(ctx.db, agent.id, { version: packageVersion(), capacity });
  // Leases of this row belong to a previous server process, now gone: end them at once
  // instead of after the lease timeout.
  const lost = await loseLeasesOf(
    { db: ctx.db, runState: ctx.runState, requeueLost: ctx.config.requeueLost, now: ctx.now },
    agent.id,
    'the server restarted while its embedded agent was running this',
  );
  if (lost > 0) log(`ended ${lost} run(s) the embedded agent held before the server restarted`);
  const stop = new AbortController();
  const done = runAgent({
    transport: new LocalTransport(
      ctx.queue,
      agent.id,
      (id, report) => recordEnvironmentReport(observationDeps(ctx), id, report),
      { db: ctx.db, store: ctx.artifacts, now: ctx.now },
      ctx.caches,
      (id, report) => recordTrafficReport(ctx.db, id, report, ctx.now()),
    ),
    backend,
    capacity,
    ...(maxParallelJobs !== undefined ? { maxParallelJobs } : {}),
    signal: stop.signal,
    log,
    labels: ownerLabels(),
    workspaceRetentionMs: ctx.config.workspaceRetentionMs,
    docker,
    swarmPublish: ctx.config.swarmPublish ?? undefined,
    publishHost: ctx.config.publishHost,
  }).catch((error: unknown) => ctx.log.error({ err: error }, 'embedded agent stopped'));
  return async () => {
    stop.abort();
    await done;
  };
}
