/**
 * Deploys to the local Docker engine: containers managed by Slipway on a per-environment
 * bridge network, reached through port proxies owned by this target (see port-proxy.ts).
 * start-first: start the new containers, wait until they are ready, switch the proxies, drain
 * and stop the old ones. A new version never ready → its containers are removed and the old
 * ones keep serving (`rolled_back`). stop-first: stop the old, then start the new (downtime).
 */
import type Dockerode from 'dockerode';
import { isNotFound } from '../backends/docker/errors.js';
import { canaryStage } from './canary-rollout.js';
import type {
  DeployLog,
  DeployOutcome,
  DeploySpec,
  DeployTarget,
  EnvironmentRef,
  EnvironmentStatus,
  ObservedEnvironment,
} from './deploy-target.js';
import {
  type ContainerSummary,
  containerAddresses,
  createReleaseContainer,
  groupByEnvironment,
  liveContainers,
  removeContainer,
  statusOf,
} from './docker-containers.js';
import { EnvironmentLocks } from './env-lock.js';
import { EnvironmentProxies } from './environment-proxies.js';
import { sleep, waitReady } from './health-wait.js';
import {
  allEnvironmentsFilter,
  containerName,
  environmentFilter,
  environmentKey,
  environmentName,
  LABEL_DEPLOY_IMAGE,
  LABEL_DEPLOY_PORTS,
  LABEL_DEPLOY_PROTOCOL,
  LABEL_DEPLOY_RELEASE,
  parsePorts,
  protocolFromLabel,
  protocolOf,
} from './labels.js';
import { ensureLocalImage } from './local-image.js';
import { nothingDeployedWhy, whyOf } from './release-why.js';
import { ensureEnvironmentNetwork, lockedOutcome } from './target-support.js';
import { TrafficRecorder } from './traffic-recorder.js';

export interface DockerTargetOptions {
  docker: Dockerode;
  /** Interface the port proxies listen on (default 0.0.0.0). */
  listenHost?: string;
  /** Without a health check: how long a new container must run before it gets traffic. */
  settleMs?: number;
  /** Longest wait for open connections to old containers before stopping them. */
  drainTimeoutMs?: number;
  /** SIGTERM → SIGKILL grace when stopping old containers. */
  stopGraceSeconds?: number;
  /** Deadline for images with their own HEALTHCHECK the spec does not describe. */
  imageCheckDeadlineMs?: number;
  pullTimeoutMs?: number;
  /** Where the proxies count traffic per release (the agent's; a private one by default). */
  recorder?: TrafficRecorder;
}

const LABEL_SWARM_SERVICE = 'com.docker.swarm.service.id';

export class DockerTarget implements DeployTarget {
  readonly kind = 'docker' as const;
  private readonly docker: Dockerode;
  private readonly proxies = new Map<string, EnvironmentProxies>();
  private readonly locks = new EnvironmentLocks();
  private readonly o: Required<Omit<DockerTargetOptions, 'docker' | 'recorder'>>;
  readonly recorder: TrafficRecorder;

  constructor(options: DockerTargetOptions) {
    this.docker = options.docker;
    this.recorder = options.recorder ?? new TrafficRecorder();
    this.o = {
      listenHost: options.listenHost ?? '0.0.0.0',
      settleMs: options.settleMs ?? 3_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
      stopGraceSeconds: options.stopGraceSeconds ?? 10,
      imageCheckDeadlineMs: options.imageCheckDeadlineMs ?? 120_000,
      pullTimeoutMs: options.pullTimeoutMs ?? 300_000,
    };
  }

  deploy(spec: DeploySpec, log: DeployLog, signal: AbortSignal): Promise<DeployOutcome> {
    return this.guard(spec, () => this.rollOut(spec, log, signal));
  }

  scale(ref: EnvironmentRef, replicas: number, log: DeployLog, signal: AbortSignal): Promise<DeployOutcome> {
    return this.guard(ref, () => this.rescale(ref, replicas, log, signal));
  }

  async status(ref: EnvironmentRef): Promise<EnvironmentStatus> {
    return statusOf(await this.containersOf(ref));
  }

  /** Every environment with containers on this engine: one list call, grouped by label. */
  async list(): Promise<ObservedEnvironment[]> {
    const all = await this.docker.listContainers({ all: true, filters: allEnvironmentsFilter() });
    // Swarm task containers carry the same labels; they are the Swarm target's to report.
    const byEnv = groupByEnvironment(all.filter((c) => c.Labels[LABEL_SWARM_SERVICE] === undefined));
    return [...byEnv.values()].map(({ ref, containers }) => ({ ...ref, ...statusOf(containers) }));
  }

  remove(ref: EnvironmentRef): Promise<void> {
    return this.locks.run(environmentKey(ref), async () => {
      const key = environmentKey(ref);
      await this.proxies.get(key)?.close();
      this.proxies.delete(key);
      await Promise.all((await this.containersOf(ref)).map((c) => removeContainer(this.docker, c.Id, 0)));
      try {
        await this.docker.getNetwork(environmentName(ref)).remove();
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
  }

  /**
   * After an agent restart: re-binds the port proxies of every environment that still runs,
   * from the containers' labels. Environments whose ports are taken are reported and skipped.
   */
  async restore(log: DeployLog = () => {}): Promise<void> {
    const all = await this.docker.listContainers({ all: true, filters: allEnvironmentsFilter() });
    const byEnv = groupByEnvironment(all);
    for (const [key, { ref, containers }] of byEnv) {
      if (this.proxies.has(key)) continue;
      const live = liveContainers(containers).filter((c) => c.State === 'running');
      const ports = parsePorts(live[0]?.Labels[LABEL_DEPLOY_PORTS]);
      if (live.length === 0 || ports.length === 0) continue;
      const proxies = this.newProxies(ref);
      const taken = await proxies.bind(ports, protocolFromLabel(live[0]?.Labels[LABEL_DEPLOY_PROTOCOL]));
      if (taken) {
        log(`${environmentName(ref)}: not restored: ${taken.reason}`);
        continue;
      }
      await proxies.switchTo(
        await containerAddresses(
          this.docker,
          ref,
          live.map((c) => c.Id),
        ),
        ports,
        live[0]?.Labels[LABEL_DEPLOY_RELEASE] ?? null,
      );
      this.proxies.set(key, proxies);
      log(
        `${environmentName(ref)}: serving ${live.length} container(s) on port(s) ${ports.map((p) => p.published).join(', ')}`,
      );
    }
  }

  /** Releases the port proxies (containers keep running; `restore` picks them up again). */
  async close(): Promise<void> {
    const all = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  // ---- deploy ----

  private async rollOut(spec: DeploySpec, log: DeployLog, signal: AbortSignal): Promise<DeployOutcome> {
    const ref: EnvironmentRef = spec;
    log(
      `deploying ${spec.image} (release ${spec.releaseId}, ${spec.replicas} replica(s), ${spec.update.order})`,
    );
    const image = await ensureLocalImage(this.docker, spec.image, log, this.o.pullTimeoutMs);
    if ('reason' in image) return { result: 'failed', ...whyOf(image) };
    if (signal.aborted) return { result: 'canceled' };

    const network = await ensureEnvironmentNetwork(this.docker, ref, 'local');
    const existing = await this.containersOf(ref);
    const proxies = this.proxiesOf(ref);
    const taken = await proxies.bind(spec.ports, protocolOf(spec));
    if (taken) {
      await this.dropIdleProxies(ref);
      return { result: 'failed', ...whyOf(taken) };
    }
    const old = existing;
    const oldAddresses = await containerAddresses(
      this.docker,
      ref,
      old.filter((c) => c.State === 'running').map((c) => c.Id),
    );

    if (spec.update.order === 'stop-first' && old.length > 0) {
      log(`stop-first: stopping ${old.length} old container(s) before starting the new ones (downtime)`);
      await proxies.switchTo([], proxies.currentPorts());
      await Promise.all(old.map((c) => removeContainer(this.docker, c.Id, this.o.stopGraceSeconds)));
    }

    const names = new Set(existing.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))));
    const created: string[] = [];
    const batch = Math.max(1, spec.update.parallelism);
    let n = 1;
    for (let i = 0; i < spec.replicas; i += batch) {
      const ids: string[] = [];
      for (let j = i; j < Math.min(spec.replicas, i + batch); j++) {
        while (names.has(containerName(ref, spec.releaseId, n))) n++;
        const name = containerName(ref, spec.releaseId, n++);
        names.add(name);
        const id = await createReleaseContainer(this.docker, spec, name, network);
        created.push(id);
        ids.push(id);
      }
      await Promise.all(ids.map((id) => this.docker.getContainer(id).start()));
      log(`started ${ids.length} new container(s); waiting until ready`);
      const ready = await waitReady(this.docker, ids, {
        check: spec.healthcheck,
        settleMs: this.o.settleMs,
        imageCheckDeadlineMs: this.o.imageCheckDeadlineMs,
        signal,
      });
      if ('canceled' in ready) {
        await this.discard(created);
        return { result: 'canceled' };
      }
      if (!ready.ready) {
        log(`new version not ready: ${ready.reason}`);
        await this.discard(created);
        if (spec.update.order === 'stop-first' || oldAddresses.length === 0) {
          if (oldAddresses.length === 0) await this.dropIdleProxies(ref);
          return { result: 'failed', ...whyOf(ready) };
        }
        log('removed the new containers; the previous version keeps serving');
        return { result: 'rolled_back', ...whyOf(ready) };
      }
      if (i + batch < spec.replicas && spec.update.delayMs > 0) await sleep(spec.update.delayMs);
    }

    const newAddresses = await containerAddresses(this.docker, ref, created);
    if (spec.rollout && spec.update.order === 'start-first' && oldAddresses.length > 0) {
      const stopped = await canaryStage(
        {
          ref,
          proxies,
          recorder: this.recorder,
          rollout: spec.rollout,
          stableRelease: liveContainers(old)[0]?.Labels[LABEL_DEPLOY_RELEASE] ?? null,
          canaryRelease: spec.releaseId,
          canaryAddresses: newAddresses,
          log,
          signal,
        },
        this.o.drainTimeoutMs,
        () => this.discard(created),
      );
      if (stopped) return stopped;
    }
    await proxies.switchTo(newAddresses, spec.ports, spec.releaseId);
    log(`traffic switched to ${created.length} new container(s)`);
    if (spec.update.order === 'start-first' && old.length > 0) {
      await proxies.drain(oldAddresses, this.o.drainTimeoutMs);
      await Promise.all(old.map((c) => removeContainer(this.docker, c.Id, this.o.stopGraceSeconds)));
      log(`stopped ${old.length} old container(s)`);
    }
    return { result: 'succeeded', image: spec.image };
  }

  private async rescale(
    ref: EnvironmentRef,
    replicas: number,
    log: DeployLog,
    signal: AbortSignal,
  ): Promise<DeployOutcome> {
    const live = liveContainers(await this.containersOf(ref));
    const template = live[0];
    if (!template) return { result: 'failed', ...nothingDeployedWhy() };
    const ports = parsePorts(template.Labels[LABEL_DEPLOY_PORTS]);
    const proxies = this.proxiesOf(ref);
    const taken = await proxies.bind(ports, protocolFromLabel(template.Labels[LABEL_DEPLOY_PROTOCOL]));
    if (taken) return { result: 'failed', ...whyOf(taken) };
    const release = template.Labels[LABEL_DEPLOY_RELEASE] ?? 'unknown';
    log(`scaling from ${live.length} to ${replicas} replica(s)`);
    if (replicas > live.length) {
      const info = await this.docker.getContainer(template.Id).inspect();
      const names = new Set(live.flatMap((c) => c.Names.map((x) => x.replace(/^\//, ''))));
      const ids: string[] = [];
      let n = 1;
      for (let i = live.length; i < replicas; i++) {
        while (names.has(containerName(ref, release, n))) n++;
        const name = containerName(ref, release, n++);
        names.add(name);
        const created = await this.docker.createContainer({
          name,
          Image: info.Config.Image,
          Env: info.Config.Env,
          Labels: info.Config.Labels,
          Healthcheck: info.Config.Healthcheck,
          HostConfig: info.HostConfig,
          NetworkingConfig: { EndpointsConfig: { [environmentName(ref)]: { Aliases: [ref.app] } } },
        });
        ids.push(created.id);
      }
      await Promise.all(ids.map((id) => this.docker.getContainer(id).start()));
      const ready = await waitReady(this.docker, ids, {
        check: null,
        settleMs: this.o.settleMs,
        imageCheckDeadlineMs: this.o.imageCheckDeadlineMs,
        signal,
      });
      if (!('ready' in ready) || !ready.ready) {
        await this.discard(ids);
        return 'canceled' in ready ? { result: 'canceled' } : { result: 'failed', ...whyOf(ready) };
      }
      const all = [...live.map((c) => c.Id), ...ids];
      await proxies.switchTo(await containerAddresses(this.docker, ref, all), ports, release);
    } else if (replicas < live.length) {
      const keep = live.slice(0, replicas);
      const drop = live.slice(replicas);
      const dropAddresses = await containerAddresses(
        this.docker,
        ref,
        drop.map((c) => c.Id),
      );
      await proxies.switchTo(
        await containerAddresses(
          this.docker,
          ref,
          keep.map((c) => c.Id),
        ),
        ports,
        release,
      );
      await proxies.drain(dropAddresses, this.o.drainTimeoutMs);
      await Promise.all(drop.map((c) => removeContainer(this.docker, c.Id, this.o.stopGraceSeconds)));
    }
    log(`now ${replicas} replica(s)`);
    return { result: 'succeeded', image: template.Labels[LABEL_DEPLOY_IMAGE] ?? template.Image };
  }

  // ---- helpers ----

  /** One operation per environment at a time; engine errors become `failed`, never a throw. */
  private guard(ref: EnvironmentRef, work: () => Promise<DeployOutcome>): Promise<DeployOutcome> {
    return lockedOutcome(this.locks, ref, 'Docker engine', work);
  }

  private proxiesOf(ref: EnvironmentRef): EnvironmentProxies {
    const key = environmentKey(ref);
    let proxies = this.proxies.get(key);
    if (!proxies) {
      proxies = this.newProxies(ref);
      this.proxies.set(key, proxies);
    }
    return proxies;
  }

  private newProxies(ref: EnvironmentRef): EnvironmentProxies {
    return new EnvironmentProxies(this.o.listenHost, {
      ref: { project: ref.project, app: ref.app, env: ref.env },
      recorder: this.recorder,
    });
  }

  /** Releases the proxies of an environment that serves nothing (a failed first deploy). */
  private async dropIdleProxies(ref: EnvironmentRef): Promise<void> {
    const key = environmentKey(ref);
    const proxies = this.proxies.get(key);
    if (proxies && proxies.currentAddresses().length === 0) {
      this.proxies.delete(key);
      await proxies.close();
    }
  }

  private containersOf(ref: EnvironmentRef): Promise<ContainerSummary[]> {
    return this.docker.listContainers({ all: true, filters: environmentFilter(ref) });
  }

  private async discard(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => removeContainer(this.docker, id, 0)));
  }
}
