/**
 * Deploys to Docker Swarm: one replicated service per environment, updated in place with the
 * service's current version; Swarm does the rolling update (start-first/stop-first,
 * parallelism, health-gated, failure_action rollback) and this target follows it by polling
 * `UpdateStatus` and the tasks, with a deadline, and maps the end state to an outcome.
 *
 * Publishing: `ingress` publishes ports through the routing mesh (needs IPVS in the kernel).
 * `proxy` (for engines without IPVS) attaches the tasks to a swarm-scoped bridge network and
 * puts this target's port proxy in front of the running tasks, refreshed while it follows
 * updates and in the background — single-node Swarm only. Only proxy mode can run a canary
 * (swarm-canary.ts): the routing mesh cannot be given a share.
 */
import type Dockerode from 'dockerode';
import { engineMessage, isNotFound } from '../backends/docker/errors.js';
import type {
  DeployLog,
  DeployOutcome,
  DeploySpec,
  DeployTarget,
  EnvironmentRef,
  EnvironmentStatus,
  ObservedEnvironment,
} from './deploy-target.js';
import { healthDeadlineMs } from './engine-config.js';
import { EnvironmentLocks } from './env-lock.js';
import { sleep } from './health-wait.js';
import {
  allEnvironmentsFilter,
  environmentKey,
  environmentName,
  LABEL_DEPLOY_IMAGE,
  LABEL_DEPLOY_PORTS,
  LABEL_DEPLOY_PROTOCOL,
  parsePorts,
  protocolFromLabel,
  protocolOf,
  refFromLabels,
} from './labels.js';
import { nothingDeployedWhy, type Why, why, whyOf, withDetail } from './release-why.js';
import {
  INGRESS_CANARY_REFUSAL,
  isCanaryService,
  removeCanaryService,
  swarmCanaryRollOut,
} from './swarm-canary.js';
import { SwarmProxies } from './swarm-proxies.js';
import { serviceSpec } from './swarm-service-spec.js';
import {
  inspectService,
  type SwarmService,
  serviceStatus,
  swarmImage,
  swarmProblem,
  updateService,
} from './swarm-services.js';
import { failureReason, serviceTasks, servingTasks, servingTasksByService } from './swarm-tasks.js';
import { ensureEnvironmentNetwork, lockedOutcome, nothingDeployed } from './target-support.js';
import { TrafficRecorder } from './traffic-recorder.js';

export interface SwarmTargetOptions {
  docker: Dockerode;
  publish?: 'ingress' | 'proxy';
  /** Proxy mode: interface the port proxies listen on (default 0.0.0.0). */
  listenHost?: string;
  /** Swarm's UpdateConfig.Monitor: how long a new task is watched for failure. */
  monitorMs?: number;
  stopGraceSeconds?: number;
  pollMs?: number;
  /** Upper bound of one update or scale, on top of the health checks' own deadline. */
  updateDeadlineMs?: number;
  pullTimeoutMs?: number;
  /** Proxy mode: where the proxies count traffic per release (the agent's; a private one by default). */
  recorder?: TrafficRecorder;
  /** Longest wait for open requests to a canary's tasks before removing its service. */
  drainTimeoutMs?: number;
}

export class SwarmTarget implements DeployTarget {
  readonly kind = 'swarm' as const;
  private readonly docker: Dockerode;
  private readonly locks = new EnvironmentLocks();
  private readonly proxies: SwarmProxies;
  private readonly o: Required<Omit<SwarmTargetOptions, 'docker' | 'recorder'>>;
  private readonly recorder: TrafficRecorder;

  constructor(options: SwarmTargetOptions) {
    this.docker = options.docker;
    this.recorder = options.recorder ?? new TrafficRecorder();
    this.o = {
      publish: options.publish ?? 'ingress',
      listenHost: options.listenHost ?? '0.0.0.0',
      monitorMs: options.monitorMs ?? 5_000,
      stopGraceSeconds: options.stopGraceSeconds ?? 10,
      pollMs: options.pollMs ?? 100,
      updateDeadlineMs: options.updateDeadlineMs ?? 300_000,
      pullTimeoutMs: options.pullTimeoutMs ?? 300_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
    };
    this.proxies = new SwarmProxies(this.docker, this.o.listenHost, this.recorder);
  }

  deploy(spec: DeploySpec, log: DeployLog, signal: AbortSignal): Promise<DeployOutcome> {
    return this.guard(spec, () => this.rollOut(spec, log, signal));
  }

  scale(ref: EnvironmentRef, replicas: number, log: DeployLog, signal: AbortSignal): Promise<DeployOutcome> {
    return this.guard(ref, async () => {
      const inactive = await swarmProblem(this.docker);
      if (inactive) return { result: 'failed', ...whyOf(inactive) };
      const service = await inspectService(this.docker, ref);
      if (!service?.Spec) return { result: 'failed', ...nothingDeployedWhy() };
      const spec = structuredClone(service.Spec);
      spec.Mode = { Replicated: { Replicas: replicas } };
      log(`scaling service ${environmentName(ref)} to ${replicas} replica(s)`);
      await updateService(this.docker, service, spec);
      const done = await this.waitConverged(ref, replicas, this.o.updateDeadlineMs, signal);
      if (done !== null) return done;
      log(`now ${replicas} replica(s)`);
      return { result: 'succeeded', image: service.Spec.Labels?.[LABEL_DEPLOY_IMAGE] ?? '' };
    });
  }

  async status(ref: EnvironmentRef): Promise<EnvironmentStatus> {
    const service = await inspectService(this.docker, ref).catch(() => null);
    if (!service) return nothingDeployed();
    const serving = servingTasks(await serviceTasks(this.docker, environmentName(ref))).length;
    return serviceStatus(service, serving);
  }

  /**
   * Every Slipway service on this Swarm: one service list and one task list (running tasks
   * only), grouped by service. An engine that is not a Swarm manager has none.
   */
  async list(): Promise<ObservedEnvironment[]> {
    let services: SwarmService[];
    try {
      services = (await this.docker.listServices({ filters: allEnvironmentsFilter() })) as SwarmService[];
    } catch (err) {
      if (/not a swarm manager|swarm/i.test(engineMessage(err))) return [];
      throw err;
    }
    if (services.length === 0) return [];
    const serving = await servingTasksByService(this.docker);
    return services.flatMap((s) => {
      const ref = refFromLabels(s.Spec?.Labels ?? {});
      // A canary service is part of its environment's rollout, not an environment.
      if (!ref || isCanaryService(s)) return [];
      return [{ ...ref, ...serviceStatus(s, serving.get(s.ID) ?? 0) }];
    });
  }

  remove(ref: EnvironmentRef): Promise<void> {
    return this.locks.run(environmentKey(ref), async () => {
      await this.proxies.unbind(ref);
      const name = environmentName(ref);
      await removeCanaryService(this.docker, ref).catch(() => {});
      try {
        await this.docker.getService(name).remove();
      } catch (err) {
        if (!isNotFound(err) && !/not found|not a swarm manager/i.test(engineMessage(err))) throw err;
      }
      // Task containers go away asynchronously; the network can be removed once they did.
      const deadline = Date.now() + 60_000;
      const filters = { label: [`com.docker.swarm.service.name=${name}`] };
      while (Date.now() < deadline && (await this.docker.listContainers({ all: true, filters })).length > 0)
        await sleep(200);
      while (Date.now() < deadline) {
        try {
          await this.docker.getNetwork(name).remove();
          break;
        } catch (err) {
          if (isNotFound(err)) break;
          await sleep(300);
        }
      }
    });
  }

  /** Proxy mode: re-binds the port proxies of every deployed service. Ingress mode: nothing to do. */
  async restore(log: DeployLog = () => {}): Promise<void> {
    if (this.o.publish !== 'proxy' || (await swarmProblem(this.docker))) return;
    const services = (await this.docker.listServices({ filters: allEnvironmentsFilter() })) as SwarmService[];
    for (const s of services) {
      const ref = refFromLabels(s.Spec?.Labels ?? {});
      if (ref && isCanaryService(s)) {
        // The rollout it belonged to ended with the agent that ran it; the stable service serves.
        await removeCanaryService(this.docker, ref);
        log(`${environmentName(ref)}: removed the canary service of an interrupted rollout`);
        continue;
      }
      if (!ref || this.proxies.has(ref)) continue;
      const taken = await this.proxies.bind(
        ref,
        parsePorts(s.Spec?.Labels?.[LABEL_DEPLOY_PORTS]),
        protocolFromLabel(s.Spec?.Labels?.[LABEL_DEPLOY_PROTOCOL]),
      );
      log(`${environmentName(ref)}: ${taken ? `not restored: ${taken.reason}` : 'proxy re-bound'}`);
    }
  }

  close(): Promise<void> {
    return this.proxies.close();
  }

  // ---- deploy ----

  private async rollOut(spec: DeploySpec, log: DeployLog, signal: AbortSignal): Promise<DeployOutcome> {
    const inactive = await swarmProblem(this.docker);
    if (inactive) return { result: 'failed', ...whyOf(inactive) };
    if (spec.rollout && this.o.publish === 'ingress')
      return {
        result: 'failed',
        reason: INGRESS_CANARY_REFUSAL,
        code: 'canary_needs_swarm_proxy',
        params: {},
      };
    log(
      `deploying ${spec.image} (release ${spec.releaseId}, ${spec.replicas} replica(s), ${spec.update.order}) to Swarm`,
    );
    const image = await swarmImage(this.docker, spec.image, log, this.o.pullTimeoutMs);
    if ('reason' in image) return { result: 'failed', ...whyOf(image) };
    const network =
      this.o.publish === 'proxy' ? await ensureEnvironmentNetwork(this.docker, spec, 'swarm') : null;
    if (network) {
      const taken = await this.proxies.bind(spec, spec.ports, protocolOf(spec));
      if (taken) return { result: 'failed', ...whyOf(taken) };
    }
    const body = serviceSpec(spec, {
      image: image.ref,
      publish: this.o.publish,
      network,
      monitorMs: this.o.monitorMs,
      stopGraceSeconds: this.o.stopGraceSeconds,
    });
    const deadline =
      (spec.healthcheck ? healthDeadlineMs(spec.healthcheck) * 2 : 0) + this.o.updateDeadlineMs;
    const existing = await inspectService(this.docker, spec);
    if (!existing) {
      log(`creating service ${environmentName(spec)}`);
      await this.docker.createService(body);
      const converged = await this.waitConverged(
        spec,
        spec.replicas,
        Math.min(deadline, this.firstDeadline(spec)),
        signal,
      );
      if (converged !== null) {
        // A first version that never runs leaves nothing behind, like the local target.
        await this.removeService(spec);
        return converged;
      }
      return { result: 'succeeded', image: spec.image };
    }
    const update = async (next: Record<string, unknown>): Promise<DeployOutcome> => {
      const current = (await inspectService(this.docker, spec)) ?? existing;
      const before = current.UpdateStatus?.StartedAt ?? null;
      log(`updating service ${environmentName(spec)}`);
      await updateService(this.docker, current, next);
      return this.followUpdate(spec, before, deadline, log, signal);
    };
    const proxies = this.proxies.of(spec);
    const rollout = spec.rollout;
    const serving = servingTasks(await serviceTasks(this.docker, environmentName(spec))).length;
    if (rollout && proxies && spec.update.order === 'start-first' && serving > 0) {
      return swarmCanaryRollOut(
        {
          docker: this.docker,
          proxies,
          recorder: this.recorder,
          drainTimeoutMs: this.o.drainTimeoutMs,
          waitConverged: (name, replicas, s) =>
            this.waitConverged(spec, replicas, Math.min(deadline, this.firstDeadline(spec)), s, name),
          updateStable: update,
          refreshStable: () => this.proxies.refresh(spec),
        },
        { ...spec, rollout },
        existing,
        body,
        log,
        signal,
      );
    }
    return update(body);
  }

  /** Polls UpdateStatus until the update ends; updating → completed | rollback_* | paused. */
  private async followUpdate(
    ref: EnvironmentRef,
    before: string | null,
    timeoutMs: number,
    log: DeployLog,
    signal: AbortSignal,
  ): Promise<DeployOutcome> {
    const name = environmentName(ref);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (signal.aborted) return { result: 'canceled' };
      await this.proxies.refresh(ref);
      const service = await inspectService(this.docker, ref);
      const status = service?.UpdateStatus;
      const state = status && status.StartedAt !== before ? (status.State ?? '') : '';
      if (state && state !== last) {
        log(`update ${state}${status?.Message ? `: ${status.Message}` : ''}`);
        last = state;
      }
      // The tasks' own error (or the engine's update message) is the engine's text: `detail`.
      const detail = async (): Promise<string> =>
        (await failureReason(this.docker, await serviceTasks(this.docker, name))) ?? status?.Message ?? state;
      if (state === 'completed') {
        await this.proxies.refresh(ref);
        return { result: 'succeeded', image: service?.Spec?.Labels?.[LABEL_DEPLOY_IMAGE] ?? '' };
      }
      if (state === 'rollback_completed') {
        await this.proxies.refresh(ref);
        return { result: 'rolled_back', ...swarmWhy('swarm_rolled_back', { service: name }, await detail()) };
      }
      if (state === 'paused' || state === 'rollback_paused')
        return {
          result: 'failed',
          ...swarmWhy('swarm_update_paused', { service: name, state }, await detail()),
        };
      await sleep(this.o.pollMs, signal);
    }
    const seconds = Math.round(timeoutMs / 1000);
    const params = { service: name, seconds, state: last || 'none' };
    return {
      result: 'failed',
      ...why(
        'swarm_update_timeout',
        params,
        `the update of ${name} did not finish within ${seconds} s (last state: ${params.state})`,
      ),
    };
  }

  /** Waits until `replicas` tasks serve; returns null then, or the failed/canceled outcome. */
  private async waitConverged(
    ref: EnvironmentRef,
    replicas: number,
    timeoutMs: number,
    signal: AbortSignal,
    name = environmentName(ref),
  ): Promise<DeployOutcome | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (signal.aborted) return { result: 'canceled' };
      await this.proxies.refresh(ref);
      const tasks = await serviceTasks(this.docker, name);
      if (
        servingTasks(tasks).length === replicas &&
        tasks.filter((t) => t.desired === 'running').length === replicas
      )
        return null;
      await sleep(this.o.pollMs, signal);
    }
    const detail = await failureReason(this.docker, await serviceTasks(this.docker, name));
    const seconds = Math.round(timeoutMs / 1000);
    const params = withDetail({ service: name, replicas, seconds }, detail);
    const reason = `${replicas} task(s) of ${name} were not running within ${seconds} s${detail ? `: ${detail}` : ''}`;
    return { result: 'failed', ...why('swarm_tasks_not_running', params, reason) };
  }

  private firstDeadline(spec: DeploySpec): number {
    return spec.healthcheck ? healthDeadlineMs(spec.healthcheck) * 2 + 15_000 : 60_000;
  }

  // ---- helpers ----

  private guard(ref: EnvironmentRef, work: () => Promise<DeployOutcome>): Promise<DeployOutcome> {
    return lockedOutcome(this.locks, ref, 'Docker Swarm', work);
  }

  private async removeService(ref: EnvironmentRef): Promise<void> {
    await this.docker
      .getService(environmentName(ref))
      .remove()
      .catch(() => {});
    await this.proxies.unbind(ref);
  }
}

/** A Swarm update's outcome: the tasks' error (the engine's words) goes in `detail`. */
function swarmWhy(
  code: 'swarm_rolled_back' | 'swarm_update_paused',
  params: { service: string; state?: string },
  detail: string,
): Why {
  const reason = code === 'swarm_rolled_back' ? detail : `update ${params.state}: ${detail}`;
  return why(code, withDetail(params, detail), reason);
}
