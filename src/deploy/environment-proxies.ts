/**
 * The port proxies of one environment: one proxy per published host port, all switched
 * together to the same set of containers (each port forwarding to its target port on them).
 * `protocol: http` environments get the HTTP-aware proxy (per-request counters, per-request
 * canary share), `tcp` ones the byte proxy (per-connection). Every upstream is tagged with
 * the release it serves, so the traffic recorder can tell versions apart.
 */
import type { DeploySpec, EnvironmentRef } from './deploy-target.js';
import { HttpProxy } from './http-proxy.js';
import { PortProxy, PortProxyError } from './port-proxy.js';
import { type Why, why } from './release-why.js';
import type { TrafficRecorder, TrafficRole } from './traffic-recorder.js';
import type { Upstream } from './upstream-pool.js';

export type ProxyProtocol = 'http' | 'tcp';
type AnyProxy = PortProxy | HttpProxy;

export interface EnvironmentProxiesOptions {
  ref?: EnvironmentRef;
  recorder?: TrafficRecorder;
}

/** Which release each address serves: one for all, or per address (Swarm during an update). */
export type ReleaseOf = string | null | ReadonlyMap<string, string>;

interface Canary {
  addresses: string[];
  releaseId: string;
  share: number;
}

export class EnvironmentProxies {
  private readonly proxies = new Map<number, AnyProxy>();
  private ports: DeploySpec['ports'] = [];
  private addresses: string[] = [];
  private releases: ReleaseOf = null;
  private canary: Canary | null = null;

  constructor(
    private readonly listenHost: string,
    private readonly options: EnvironmentProxiesOptions = {},
  ) {}

  /**
   * Listens on every published port not yet bound (a port bound with the other protocol is
   * re-bound). Returns a reason when a port is taken (ports bound by this call are released
   * again), or null.
   */
  async bind(ports: DeploySpec['ports'], protocol: ProxyProtocol = 'tcp'): Promise<Why | null> {
    const opened: AnyProxy[] = [];
    for (const { published } of ports) {
      const existing = this.proxies.get(published);
      if (existing && kindOf(existing) === protocol) continue;
      if (existing) {
        this.proxies.delete(published);
        await existing.close();
      }
      const settings = { listenHost: this.listenHost, port: published, recorder: this.options.recorder };
      const proxy = protocol === 'http' ? new HttpProxy(settings) : new PortProxy(settings);
      try {
        await proxy.listen();
      } catch (err) {
        for (const p of opened) {
          await p.close();
          this.proxies.delete(p.port);
        }
        if (err instanceof PortProxyError) return portWhy(err, published);
        throw err;
      }
      opened.push(proxy);
      this.proxies.set(published, proxy);
    }
    if (opened.length > 0) this.apply();
    return null;
  }

  /**
   * Points every port at `addresses` at once (any canary ends) and releases ports no longer
   * published.
   */
  async switchTo(
    addresses: string[],
    ports: DeploySpec['ports'],
    releases: ReleaseOf = this.releases,
  ): Promise<void> {
    this.addresses = [...addresses];
    this.ports = [...ports];
    this.releases = releases;
    this.canary = null;
    this.apply();
    const keep = new Set(ports.map((p) => p.published));
    for (const [port, proxy] of this.proxies) {
      if (keep.has(port)) continue;
      this.proxies.delete(port);
      await proxy.close();
    }
  }

  /**
   * Replaces the stable set on the current ports and keeps a canary in place (Swarm refreshes
   * the stable tasks every second, also while a canary bakes or holds all the traffic).
   */
  setStable(addresses: string[], releases: ReleaseOf = this.releases): void {
    this.addresses = [...addresses];
    this.releases = releases;
    this.apply();
  }

  /** Sends `share` (0..1) of the traffic to the canary's addresses; the stable set stays. */
  setCanary(addresses: string[], releaseId: string, share: number): void {
    this.canary = { addresses: [...addresses], releaseId, share };
    this.apply();
  }

  /** Everything back to the stable set. */
  clearCanary(): void {
    this.canary = null;
    this.apply();
  }

  /** Per published port, the interface its proxy listens on. */
  boundHosts(): Map<number, string | null> {
    return new Map([...this.proxies].map(([port, proxy]) => [port, proxy.boundHost]));
  }

  currentAddresses(): readonly string[] {
    return this.addresses;
  }

  currentPorts(): DeploySpec['ports'] {
    return this.ports;
  }

  /** Waits until no connection to these addresses is open on any port (bounded). */
  async drain(addresses: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const proxy of this.proxies.values()) {
      await proxy.waitIdle(addresses, Math.max(0, deadline - Date.now()));
    }
  }

  async close(): Promise<void> {
    const all = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  private apply(): void {
    for (const { published, target } of this.ports) {
      const proxy = this.proxies.get(published);
      if (!proxy) continue;
      const stable = this.addresses.map((host) =>
        this.upstream(host, target, releaseFor(this.releases, host), 'stable'),
      );
      const canary = this.canary;
      const canaryUpstreams = canary
        ? canary.addresses.map((host) => this.upstream(host, target, canary.releaseId, 'canary'))
        : [];
      proxy.setUpstreams(stable, canaryUpstreams, canary?.share ?? 0);
    }
  }

  private upstream(host: string, port: number, releaseId: string | null, role: TrafficRole): Upstream {
    const ref = this.options.ref;
    return ref && releaseId ? { host, port, tag: { ref, releaseId, role } } : { host, port };
  }
}

function kindOf(proxy: AnyProxy): ProxyProtocol {
  return proxy instanceof HttpProxy ? 'http' : 'tcp';
}

function releaseFor(releases: ReleaseOf, host: string): string | null {
  if (releases === null || typeof releases === 'string') return releases;
  return releases.get(host) ?? null;
}

/** A port that could not be bound, as a release reason. */
function portWhy(err: PortProxyError, port: number): Why {
  return err.code === 'EADDRINUSE'
    ? why('port_in_use', { port }, err.message)
    : why('port_unavailable', { port, detail: err.detail ?? err.message }, err.message);
}
