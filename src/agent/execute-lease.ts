/**
 * One lease, start to end: the run's source comes from the server, the plan runs on the
 * backend, every job update and log line goes back through the reporter, a heartbeat keeps the
 * lease, and `finish` is sent exactly once — unless the server said the lease is gone, in which
 * case the run is stopped here and nothing more is reported.
 *
 * Workspaces are kept after the run (for "resume from failed"), except when the run succeeded:
 * then nobody will resume it and the disk is better free. Kept ones are pruned by age.
 */
import type { Backend } from '../backends/backend.js';
import type { CacheRemote } from '../backends/cache-spec.js';
import type { Plan } from '../pipeline/plan/plan.js';
import type { LeaseMessage, RunFinishMessage } from '../protocol/agent-protocol.js';
import { type AgentTransport, LeaseGoneError } from '../protocol/agent-transport.js';
import { repositoryFromName } from '../runtime/build-spec.js';
import { runMasker, runPipeline } from '../runtime/run-pipeline.js';
import type { RunResult } from '../runtime/run-result.js';
import { type DeployTargets, deployRunner } from './deploy-job.js';
import { jobArtifacts } from './job-artifacts.js';
import { LeaseReporter } from './lease-reporter.js';
import { LogCoverage } from './log-coverage.js';
import { restoreArtifacts } from './restore-artifacts.js';

export interface LeaseContext {
  transport: AgentTransport;
  backend: Backend;
  /** The agent is stopping: the run is canceled (and reported so). */
  stopping: AbortSignal;
  log: (message: string) => void;
  /** Set on everything the run creates (the owner label lets a later agent reap orphans). */
  labels: Record<string, string>;
  /** Whether another of this agent's runs still uses the workspace (then it is not removed). */
  workspaceShared: (workspaceId: string) => boolean;
  logFlushMs?: number;
  /** Where `deploy` jobs roll out (see deploy-targets.ts). */
  deployTargets?: DeployTargets;
  /** Jobs of one run started at once (see RunOptions.maxParallelJobs). */
  maxParallelJobs?: number;
}

export async function executeLease(lease: LeaseMessage, ctx: LeaseContext): Promise<RunResult | null> {
  const cancel = new AbortController();
  const stop = () => cancel.abort();
  // One masker for the run's logs and for every message that leaves the agent about it.
  const masker = runMasker(lease.secrets, lease.registries);
  ctx.stopping.addEventListener('abort', stop, { once: true });
  const reporter = new LeaseReporter({
    transport: ctx.transport,
    leaseId: lease.leaseId,
    onCancel: () => {
      if (!cancel.signal.aborted) ctx.log(`run ${lease.runId}: canceled by the server`);
      stop();
    },
    onGone: () => {
      ctx.log(`run ${lease.runId}: the server no longer recognises lease ${lease.leaseId}; stopping the run`);
      stop();
    },
    log: (message) => ctx.log(`run ${lease.runId}: ${masker.maskText(message)}`),
    mask: (text) => masker.maskText(text),
    ...(ctx.logFlushMs !== undefined ? { flushMs: ctx.logFlushMs } : {}),
  });
  const heartbeat = setInterval(() => void reporter.heartbeat(), lease.heartbeatMs);
  const coverage = new LogCoverage(lease.plan as Plan);
  const startedAt = Date.now();
  let result: RunResult | null = null;
  let error: string | null = null;
  try {
    result = await runPipeline(lease.plan as Plan, {
      runId: lease.runId,
      runNumber: lease.runNumber,
      backend: ctx.backend,
      // A release run has only its deploy job: it needs no source, an empty workspace does.
      source: onlyDeploys(lease.plan as Plan)
        ? { kind: 'empty' }
        : { kind: 'archive', open: () => ctx.transport.source(lease.leaseId) },
      deployJob: deployRunner(lease.deployments, ctx.deployTargets ?? {}),
      secrets: lease.secrets,
      masker,
      // Build jobs push with these (matched by registry host); their passwords are masked.
      registries: lease.registries,
      // Untrusted runs build but never push; refused push targets fail their job.
      pushPolicy: { trusted: lease.trusted, refusals: lease.pushRefusals ?? {} },
      // A build without `image:` is named after the project (its id from an older server).
      project: lease.projectName ?? lease.projectId,
      imageRepository: repositoryFromName(lease.projectName ?? lease.projectId),
      ...cacheRemoteOf(ctx.transport, lease.leaseId),
      signal: cancel.signal,
      maxLogBytes: lease.maxLogBytes,
      ...(lease.resourceLimits ? { resourceLimits: lease.resourceLimits } : {}),
      labels: ctx.labels,
      ...(lease.jobs.length > 0 ? { selection: { jobs: lease.jobs } } : {}),
      runManual: lease.runManual,
      workspaceId: lease.workspaceId,
      reuseWorkspace: lease.reuseWorkspace,
      keepWorkspace: true,
      // Warm containers are shared by one project's runs of one trust level only.
      warmPool: `${lease.projectId}:${lease.trusted ? 'trusted' : 'untrusted'}`,
      ...(ctx.maxParallelJobs !== undefined ? { maxParallelJobs: ctx.maxParallelJobs } : {}),
      // Artifacts and reports: uploaded after each job, earlier ones restored before the first.
      afterJob: jobArtifacts({
        transport: ctx.transport,
        backend: ctx.backend,
        leaseId: lease.leaseId,
        runId: lease.runId,
        logCoverage: (job) => coverage.of(job),
      }),
      afterSetup: () =>
        restoreArtifacts(ctx.transport, ctx.backend, lease, lease.restoreArtifacts ?? [], (message) =>
          ctx.log(`run ${lease.runId}: ${message}`),
        ),
      onEvent: (event) => {
        if (event.type === 'job') reporter.job(event.job);
        else {
          coverage.observe(event.job, event.line.text);
          reporter.line(event.job, event.line);
        }
      },
      // Backpressure: jobs' output is read no faster than the reporter ships it.
      logReady: () => reporter.ready(),
    });
  } catch (thrown) {
    // A plan this agent cannot read (another version?) must still end the run visibly.
    error = masker.maskText(
      `the agent could not run the plan: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    );
    ctx.log(`run ${lease.runId}: ${error}`);
  } finally {
    ctx.stopping.removeEventListener('abort', stop);
  }
  try {
    // Still heartbeating: sending the last lines to a slow server must not lose the lease.
    await reporter.close();
    if (!reporter.isGone) await finish(lease, ctx, result, startedAt, error);
  } finally {
    clearInterval(heartbeat);
  }
  if (result && (result.status === 'succeeded' || result.status === 'skipped'))
    await dropWorkspace(lease, ctx);
  return result;
}

async function finish(
  lease: LeaseMessage,
  ctx: LeaseContext,
  result: RunResult | null,
  startedAt: number,
  error: string | null,
): Promise<void> {
  const message: RunFinishMessage = {
    status: result?.status ?? 'failed',
    startedAt: result?.startedAt ?? startedAt,
    finishedAt: result?.finishedAt ?? Date.now(),
    error,
  };
  try {
    await ctx.transport.finish(lease.leaseId, message);
    ctx.log(`run ${lease.runId}: ${message.status}`);
  } catch (thrown) {
    if (!(thrown instanceof LeaseGoneError)) {
      ctx.log(
        `run ${lease.runId}: reporting the end failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
      );
    }
  }
}

/** The server's cache store through this lease, when the transport reaches one. */
function cacheRemoteOf(transport: AgentTransport, leaseId: string): { cacheRemote?: CacheRemote } {
  const { cacheDownload, cacheUpload } = transport;
  if (!cacheDownload || !cacheUpload) return {};
  return {
    cacheRemote: {
      download: (ref) => cacheDownload.call(transport, leaseId, ref),
      upload: (ref, tar) => cacheUpload.call(transport, leaseId, ref, tar),
    },
  };
}

/** The run's own workspace, and the one it resumed in, unless another run of ours is in it. */
async function dropWorkspace(lease: LeaseMessage, ctx: LeaseContext): Promise<void> {
  for (const id of new Set([lease.runId, lease.workspaceId])) {
    if (ctx.workspaceShared(id)) continue;
    await ctx.backend.destroyRun(id).catch((thrown: unknown) => {
      ctx.log(
        `removing workspace ${id} failed (pruned later): ${thrown instanceof Error ? thrown.message : String(thrown)}`,
      );
    });
  }
}

function onlyDeploys(plan: Plan): boolean {
  const jobs = plan.stages.flatMap((s) => s.jobs);
  return jobs.length > 0 && jobs.every((j) => j.deploy !== undefined);
}
