/**
 * Waits until new containers are ready for traffic: healthy when they have a health check
 * (the spec's or the image's own HEALTHCHECK), otherwise running for `settleMs` without
 * exiting. Bounded: a container not ready by the deadline is a failure, and the reason names
 * the container and carries the last health check output, which is what the user needs.
 */
import type Dockerode from 'dockerode';
import { engineMessage } from '../backends/docker/errors.js';
import type { HealthCheck } from './deploy-target.js';
import { healthDeadlineMs } from './engine-config.js';
import { type Why, why, withDetail } from './release-why.js';

export type HealthWait = { ready: true } | ({ ready: false } & Why) | { canceled: true };

export interface HealthWaitOptions {
  check: HealthCheck | null;
  /** Without a health check: how long a container must stay running to count as started. */
  settleMs: number;
  /** Deadline when the image has a health check the spec does not describe. */
  imageCheckDeadlineMs: number;
  pollMs?: number;
  signal: AbortSignal;
}

export async function waitReady(
  docker: Dockerode,
  containerIds: string[],
  options: HealthWaitOptions,
): Promise<HealthWait> {
  const results = await Promise.all(containerIds.map((id) => waitOne(docker, id, options)));
  if (results.some((r) => 'canceled' in r)) return { canceled: true };
  const failed = results.find((r) => 'reason' in r);
  return failed ?? { ready: true };
}

async function waitOne(docker: Dockerode, id: string, options: HealthWaitOptions): Promise<HealthWait> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 200;
  let deadline = started + (options.check ? healthDeadlineMs(options.check) : options.settleMs + 10_000);
  let adjusted = false;
  for (;;) {
    if (options.signal.aborted) return { canceled: true };
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await docker.getContainer(id).inspect();
    } catch (err) {
      const container = id.slice(0, 12);
      const detail = engineMessage(err);
      return notReady(
        why('container_vanished', { container, detail }, `container ${container} vanished: ${detail}`),
      );
    }
    const name = info.Name.replace(/^\//, '');
    const state = info.State;
    if (state.Status === 'exited' || state.Status === 'dead') {
      const detail = state.Error ? `: ${state.Error}` : '';
      const params = withDetail({ container: name, exitCode: state.ExitCode }, state.Error);
      return notReady(
        why('container_exited', params, `container ${name} exited with code ${state.ExitCode}${detail}`),
      );
    }
    if (state.Restarting) {
      return notReady(
        why(
          'container_restarting',
          { container: name, exitCode: state.ExitCode },
          `container ${name} keeps restarting (last exit code ${state.ExitCode})`,
        ),
      );
    }
    const health = state.Health;
    if (health) {
      if (!options.check && !adjusted) {
        deadline = started + options.imageCheckDeadlineMs;
        adjusted = true;
      }
      if (health.Status === 'healthy') return { ready: true };
      if (health.Status === 'unhealthy') return notReady(unhealthy(name, health));
    } else if (state.Running && Date.now() - Date.parse(state.StartedAt) >= options.settleMs) {
      return { ready: true };
    }
    if (Date.now() >= deadline) {
      const seconds = Math.round((deadline - started) / 1000);
      const last = health ? unhealthy(name, health) : null;
      const params = withDetail({ container: name, seconds }, last?.params.detail as string | undefined);
      const reason = `container ${name} did not become healthy within ${seconds} s${last ? `; ${last.reason}` : ''}`;
      return notReady(why('not_healthy_in_time', params, reason));
    }
    await sleep(pollMs, options.signal);
  }
}

function notReady(w: Why): HealthWait {
  return { ready: false, ...w };
}

/** The last health check's output is the engine's text: it travels as `detail`. */
function unhealthy(
  name: string,
  health: NonNullable<Dockerode.ContainerInspectInfo['State']['Health']>,
): Why {
  const last = health.Log?.at(-1);
  const output = last ? last.Output.trim().split('\n').slice(-3).join(' | ') : '';
  const failures = health.FailingStreak;
  const params = { container: name, failures, ...(last ? { exitCode: last.ExitCode } : {}) };
  return why(
    'container_unhealthy',
    withDetail(params, output),
    `container ${name} is unhealthy after ${failures} failed health checks${
      output ? `; last output: ${output}` : last ? ` (exit code ${last.ExitCode})` : ''
    }`,
  );
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
