/**
 * The port proxies of one environment: one PortProxy per published host port, all switched
 * together to the same set of containers (each port forwarding to its target port on them).
 */
import type { DeploySpec } from './deploy-target.js';
import { PortProxy, PortProxyError } from './port-proxy.js';

export class EnvironmentProxies {
  private readonly proxies = new Map<number, PortProxy>();
  private ports: DeploySpec['ports'] = [];
  private addresses: string[] = [];

  constructor(private readonly listenHost: string) {}

  /**
   * Listens on every published port not yet bound. Returns a reason when a port is taken
   * (ports bound by this call are released again), or null.
   */
  async bind(ports: DeploySpec['ports']): Promise<string | null> {
    const opened: PortProxy[] = [];
    for (const { published } of ports) {
      if (this.proxies.has(published)) continue;
      const proxy = new PortProxy({ listenHost: this.listenHost, port: published });
      try {
        await proxy.listen();
      } catch (err) {
        for (const p of opened) {
          await p.close();
          this.proxies.delete(p.port);
        }
        if (err instanceof PortProxyError) return err.message;
        throw err;
      }
      opened.push(proxy);
      this.proxies.set(published, proxy);
    }
    return null;
  }

  /** Points every port at `addresses` at once and releases ports no longer published. */
  async switchTo(addresses: string[], ports: DeploySpec['ports']): Promise<void> {
    this.addresses = [...addresses];
    this.ports = [...ports];
    for (const { published, target } of ports) {
      this.proxies.get(published)?.setUpstreams(addresses.map((host) => ({ host, port: target })));
    }
    const keep = new Set(ports.map((p) => p.published));
    for (const [port, proxy] of this.proxies) {
      if (keep.has(port)) continue;
      this.proxies.delete(port);
      await proxy.close();
    }
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
}
