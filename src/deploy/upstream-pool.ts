/**
 * The upstreams one proxy port forwards to, and how it picks one: round-robin over the stable
 * version's containers, except that a canary, when set, gets `canaryShare` of the picks (per
 * request for HTTP, per connection for TCP). Both proxies (TCP and HTTP) share it, so a switch
 * or a canary step means the same for either. The set is replaced atomically; what is in flight
 * keeps the upstream it got.
 */
import type { TrafficTag } from './traffic-recorder.js';

export interface Upstream {
  host: string;
  port: number;
  /** The version this upstream serves, for the traffic counters (untagged: not counted). */
  tag?: TrafficTag;
}

export class UpstreamPool {
  private stable: Upstream[] = [];
  private canary: Upstream[] = [];
  private share = 0;
  private nextStable = 0;
  private nextCanary = 0;

  constructor(private readonly random: () => number = Math.random) {}

  set(stable: Upstream[], canary: Upstream[] = [], canaryShare = 0): void {
    this.stable = [...stable];
    this.canary = [...canary];
    this.share = canary.length > 0 ? Math.min(1, Math.max(0, canaryShare)) : 0;
  }

  all(): Upstream[] {
    return [...this.stable, ...this.canary];
  }

  /** Whether host:port is in the set (asked once per request: no copy of the lists). */
  has(host: string, port: number): boolean {
    const same = (u: Upstream) => u.host === host && u.port === port;
    return this.stable.some(same) || this.canary.some(same);
  }

  size(): number {
    return this.stable.length + this.canary.length;
  }

  /** The next upstream to try; null when there is none at all. */
  pick(): Upstream | null {
    const useCanary = this.share >= 1 || (this.share > 0 && this.random() < this.share);
    const list = useCanary || this.stable.length === 0 ? this.canary : this.stable;
    const fallback = list === this.canary ? this.stable : this.canary;
    const from = list.length > 0 ? list : fallback;
    if (from.length === 0) return null;
    if (from === this.canary) {
      this.nextCanary = (this.nextCanary + 1) % 1_000_000;
      return from[this.nextCanary % from.length] as Upstream;
    }
    this.nextStable = (this.nextStable + 1) % 1_000_000;
    return from[this.nextStable % from.length] as Upstream;
  }
}

/**
 * Open exchanges per upstream host, so a switch can wait until the old containers are idle
 * before stopping them (bounded).
 */
export class ActiveUpstreams {
  private readonly active = new Map<string, number>();
  private readonly idleWaiters = new Set<() => void>();

  open(host: string): () => void {
    this.active.set(host, (this.active.get(host) ?? 0) + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const left = (this.active.get(host) ?? 1) - 1;
      if (left > 0) this.active.set(host, left);
      else this.active.delete(host);
      for (const wake of [...this.idleWaiters]) {
        this.idleWaiters.delete(wake);
        wake();
      }
    };
  }

  to(hosts: readonly string[]): number {
    return hosts.reduce((sum, host) => sum + (this.active.get(host) ?? 0), 0);
  }

  async waitIdle(hosts: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(hosts) > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        const waiters = this.idleWaiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        this.idleWaiters.add(done);
      });
    }
  }
}
