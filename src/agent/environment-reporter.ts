/**
 * Observed environment health: every `intervalMs` the agent asks its deploy targets what runs
 * on its engine (one labelled list call each) and reports the complete list to the server —
 * only when something changed, or every `keepAliveMs` so the server knows the agent still
 * watches. A failed report is logged once and sent again on the next tick. The server answers
 * with the reported environments that were deleted in Slipway: they are stopped and removed
 * here (the server never talks to an engine), and the next tick reports them gone.
 */
import type { DeployTarget } from '../deploy/deploy-target.js';
import type { EnvironmentRefMessage, ObservedEnvironmentMessage } from '../protocol/agent-protocol.js';
import type { AgentTransport } from '../protocol/agent-transport.js';

export interface EnvironmentReporterOptions {
  targets: DeployTarget[];
  transport: AgentTransport;
  intervalMs: number;
  keepAliveMs: number;
  log: (message: string) => void;
}

/** Starts reporting; returns `stop`, which resolves once a report under way has ended. */
export function startEnvironmentReporter(opts: EnvironmentReporterOptions): () => Promise<void> {
  const report = opts.transport.reportEnvironments?.bind(opts.transport);
  if (!report || opts.targets.length === 0) return async () => {};
  let last = '';
  let lastSentAt = 0;
  let failing = false;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  const tick = async (): Promise<void> => {
    try {
      const environments = await observe(opts.targets);
      const snapshot = JSON.stringify(environments);
      if (snapshot === last && Date.now() - lastSentAt < opts.keepAliveMs) return;
      const answer = await report({ environments });
      last = snapshot;
      if (answer.remove.length > 0) {
        await removeDeleted(opts, answer.remove);
        last = ''; // report the new state on the next tick, not after the keep-alive
      }
      lastSentAt = Date.now();
      if (failing) opts.log('reporting environments works again');
      failing = false;
    } catch (error) {
      if (!failing)
        opts.log(`cannot report environments: ${error instanceof Error ? error.message : String(error)}`);
      failing = true;
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    // Chained, never overlapping: a slow engine delays the next tick instead of piling up calls.
    timer = setTimeout(() => {
      current = tick().finally(() => schedule(opts.intervalMs));
    }, ms);
  };
  schedule(0);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await current;
  };
}

/** Stops what Slipway no longer knows; one failure is logged and retried on a later report. */
async function removeDeleted(opts: EnvironmentReporterOptions, refs: EnvironmentRefMessage[]): Promise<void> {
  for (const ref of refs) {
    const target = opts.targets.find((t) => t.kind === ref.target);
    if (!target) continue;
    try {
      await target.remove({ project: ref.project, app: ref.app, env: ref.env });
      opts.log(`removed ${ref.project}/${ref.app}/${ref.env} (${ref.target}): deleted in Slipway`);
    } catch (error) {
      opts.log(
        `cannot remove ${ref.project}/${ref.app}/${ref.env}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** Every target's environments, sorted so that equal states compare equal. */
async function observe(targets: DeployTarget[]): Promise<ObservedEnvironmentMessage[]> {
  const lists = await Promise.all(
    targets.map(async (target) => (await target.list()).map((e) => ({ ...e, target: target.kind }))),
  );
  return lists
    .flat()
    .map((e) => ({
      project: e.project,
      app: e.app,
      env: e.env,
      target: e.target,
      running: e.running,
      image: e.image,
      releaseId: e.releaseId,
      replicas: { desired: e.replicas.desired, running: e.replicas.running, healthy: e.replicas.healthy },
    }))
    .sort((a, b) => key(a).localeCompare(key(b)));
}

function key(e: ObservedEnvironmentMessage): string {
  return JSON.stringify([e.target, e.project, e.app, e.env]);
}
