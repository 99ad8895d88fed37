/**
 * The agent: lease → run → report, the same code embedded in the server (in-process transport)
 * or standalone (HTTP). It long-polls for work while it has free capacity, runs each lease on
 * its own (see execute-lease.ts), and backs off while the server is unreachable.
 *
 * Stopping (the signal aborts): no more leasing; running runs are canceled — containers get
 * SIGTERM, then SIGKILL — and reported finished; runAgent resolves once they all are.
 */
import type Dockerode from 'dockerode';
import type { Backend } from '../backends/backend.js';
import type { LeaseMessage } from '../protocol/agent-protocol.js';
import { AgentRefusedError, type AgentTransport } from '../protocol/agent-transport.js';
import { openDeployTargets } from './deploy-targets.js';
import { startEnvironmentReporter } from './environment-reporter.js';
import { executeLease } from './execute-lease.js';
import { startTrafficReporter } from './traffic-reporter.js';
import { startWorkspacePruner } from './workspace-pruner.js';

export interface AgentOptions {
  transport: AgentTransport;
  backend: Backend;
  /** Runs executed at once. */
  capacity: number;
  signal: AbortSignal;
  log: (message: string) => void;
  /** Set on everything runs create; the owner label lets a later agent reap what a crash left. */
  labels?: Record<string, string>;
  /** How long one lease request may wait on the server (it caps this); default 25 s. */
  leaseWaitMs?: number;
  /** Kept workspaces older than this are removed; default 24 h. */
  workspaceRetentionMs?: number;
  logFlushMs?: number;
  /** Jobs of one run started at once (default: the runtime's DEFAULT_MAX_PARALLEL_JOBS). */
  maxParallelJobs?: number;
  /** The engine deploy jobs roll out on (local Docker and Swarm targets); none: deploys fail. */
  docker?: Dockerode | null;
  /** How Swarm services publish ports; default: detected (ingress needs IPVS in the kernel). */
  swarmPublish?: 'ingress' | 'proxy';
  /** Interface the deploy port proxies listen on; default 0.0.0.0 (SLIPWAY_PUBLISH_HOST). */
  publishHost?: string;
  /** How often what runs on the engine is observed for the server (default 5 s; no targets: never). */
  observeEnvironmentsMs?: number;
  /** An unchanged observation is reported again after this long, as a keep-alive (default 30 s). */
  observationKeepAliveMs?: number;
  /** How often proxy traffic counters are sent (default 15 s; always once more on stop). */
  reportTrafficMs?: number;
}

const MAX_BACKOFF_MS = 30_000;

/** Resolves when stopped; rejects with AgentRefusedError when the server will not have this agent. */
export async function runAgent(opts: AgentOptions): Promise<void> {
  const { transport, signal, log } = opts;
  const capacity = Math.max(1, Math.floor(opts.capacity));
  const active = new Map<string, { lease: LeaseMessage; done: Promise<void> }>();
  const inUse = () => new Set([...active.values()].flatMap(({ lease }) => [lease.runId, lease.workspaceId]));
  const stopPruning = startWorkspacePruner({
    backend: opts.backend,
    retentionMs: opts.workspaceRetentionMs ?? 24 * 3_600_000,
    inUse,
    log,
  });
  // One promise for the whole loop: a listener per wait would pile up on a long-lived agent.
  const stopped = aborted(signal);
  const deploy = await openDeployTargets(opts.docker ?? null, log, opts.swarmPublish, opts.publishHost);
  const stopObserving = startEnvironmentReporter({
    targets: Object.values(deploy.targets).filter((t) => t !== undefined),
    transport,
    intervalMs: opts.observeEnvironmentsMs ?? 5_000,
    keepAliveMs: opts.observationKeepAliveMs ?? 30_000,
    log,
  });
  const stopTraffic = deploy.recorder
    ? startTrafficReporter({
        recorder: deploy.recorder,
        transport,
        intervalMs: opts.reportTrafficMs ?? 15_000,
        log,
      })
    : async () => {};
  let failures = 0;
  let refused: AgentRefusedError | null = null;
  try {
    while (!signal.aborted) {
      if (active.size >= capacity) {
        await Promise.race([...[...active.values()].map((a) => a.done), stopped]);
        continue;
      }
      let lease: LeaseMessage | null;
      try {
        lease = await transport.lease(opts.leaseWaitMs ?? 25_000, signal);
        if (failures > 0) log('the server answers again');
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof AgentRefusedError) {
          refused = error;
          break;
        }
        failures++;
        const wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (failures - 1));
        log(
          `cannot lease work: ${error instanceof Error ? error.message : String(error)} (retrying in ${Math.round(wait / 100) / 10} s)`,
        );
        await sleep(wait, signal);
        continue;
      }
      if (lease) start(lease);
    }
  } finally {
    await Promise.allSettled([...active.values()].map((a) => a.done));
    await stopPruning();
    await stopObserving();
    await deploy.close();
    // After the proxies closed: what they counted last goes out too.
    await stopTraffic();
    // Pre-started job containers wait for runs this agent will no longer take.
    await opts.backend.close?.().catch((error: unknown) => log(`releasing the backend: ${String(error)}`));
  }
  if (refused) throw refused;

  function start(lease: LeaseMessage): void {
    log(
      `run ${lease.runId} (#${lease.runNumber}) leased${lease.jobs.length > 0 ? `: ${lease.jobs.join(', ')}` : ''}`,
    );
    const done = executeLease(lease, {
      transport,
      backend: opts.backend,
      stopping: signal,
      log,
      labels: opts.labels ?? {},
      deployTargets: deploy.targets,
      workspaceShared: (id) =>
        [...active].some(
          ([leaseId, a]) => leaseId !== lease.leaseId && (a.lease.runId === id || a.lease.workspaceId === id),
        ),
      ...(opts.logFlushMs !== undefined ? { logFlushMs: opts.logFlushMs } : {}),
      ...(opts.maxParallelJobs !== undefined ? { maxParallelJobs: opts.maxParallelJobs } : {}),
    })
      .then(() => undefined)
      .catch((error: unknown) =>
        log(`run ${lease.runId}: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => active.delete(lease.leaseId));
    active.set(lease.leaseId, { lease, done });
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
