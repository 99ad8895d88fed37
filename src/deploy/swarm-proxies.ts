/**
 * The Swarm target's port proxies in `proxy` publish mode: per environment, the proxies on its
 * published ports, pointed at the stable service's serving tasks — refreshed while the target
 * follows an update and every second in the background (a task Swarm restarts gets a new
 * address). A refresh replaces only the stable set, so a canary's share survives it.
 */
import type Dockerode from 'dockerode';
import type { DeploySpec, EnvironmentRef } from './deploy-target.js';
import { EnvironmentProxies } from './environment-proxies.js';
import { environmentKey, environmentName } from './labels.js';
import type { Why } from './release-why.js';
import { serviceTasks, servingTasks, taskUpstreams } from './swarm-tasks.js';
import type { TrafficRecorder } from './traffic-recorder.js';

interface Entry {
  proxies: EnvironmentProxies;
  timer: NodeJS.Timeout;
}

export class SwarmProxies {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly docker: Dockerode,
    private readonly listenHost: string,
    private readonly recorder: TrafficRecorder,
  ) {}

  has(ref: EnvironmentRef): boolean {
    return this.entries.has(environmentKey(ref));
  }

  of(ref: EnvironmentRef): EnvironmentProxies | null {
    return this.entries.get(environmentKey(ref))?.proxies ?? null;
  }

  /** Listens on the ports and keeps the upstreams in step with the running tasks. */
  async bind(ref: EnvironmentRef, ports: DeploySpec['ports'], protocol: 'http' | 'tcp'): Promise<Why | null> {
    const key = environmentKey(ref);
    let entry = this.entries.get(key);
    if (!entry) {
      const proxies = new EnvironmentProxies(this.listenHost, {
        ref: { project: ref.project, app: ref.app, env: ref.env },
        recorder: this.recorder,
      });
      const timer = setInterval(() => void this.refresh(ref).catch(() => {}), 1_000);
      timer.unref();
      entry = { proxies, timer };
      this.entries.set(key, entry);
    }
    const taken = await entry.proxies.bind(ports, protocol);
    if (taken && entry.proxies.currentAddresses().length === 0) await this.unbind(ref);
    else if (!taken) await entry.proxies.switchTo([...entry.proxies.currentAddresses()], ports);
    if (!taken) await this.refresh(ref);
    return taken;
  }

  async unbind(ref: EnvironmentRef): Promise<void> {
    const key = environmentKey(ref);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    clearInterval(entry.timer);
    await entry.proxies.close();
  }

  /** Points the stable set at the environment's service tasks that serve now. */
  async refresh(ref: EnvironmentRef): Promise<void> {
    const entry = this.entries.get(environmentKey(ref));
    if (!entry) return;
    const name = environmentName(ref);
    const tasks = await serviceTasks(this.docker, name).catch(() => []);
    const upstreams = await taskUpstreams(this.docker, servingTasks(tasks), name);
    const releases = new Map<string, string>();
    for (const u of upstreams) if (u.releaseId) releases.set(u.address, u.releaseId);
    // Never switch to nothing while an update briefly has no serving task listed.
    if (upstreams.length > 0)
      entry.proxies.setStable(
        upstreams.map((u) => u.address),
        releases,
      );
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) clearInterval(e.timer);
    await Promise.all(all.map((e) => e.proxies.close()));
  }
}
