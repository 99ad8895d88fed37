/**
 * What the agent's proxies saw, per environment, release, role (stable or canary) and minute:
 * requests by status class, bytes, a latency histogram (buckets of LATENCY_BOUNDS_MS), or for
 * TCP environments connections. Two views of the same counts:
 *   - per-minute buckets, drained by the agent's traffic reporter and sent to the server;
 *   - running totals per environment/release/role, never drained, which the canary judge reads
 *     at the start and end of a bake window (the difference is what each side served in it).
 * One recorder per agent, handed to its targets; nothing here is global.
 */
import { LATENCY_BUCKETS, latencyBucket } from '../domain/release-stats.js';
import type { EnvironmentRef } from './deploy-target.js';
import { environmentKey } from './labels.js';

export type TrafficRole = 'stable' | 'canary';

/** Which version an upstream belongs to: what the proxy tags every request with. */
export interface TrafficTag {
  ref: EnvironmentRef;
  releaseId: string;
  role: TrafficRole;
}

export interface TrafficCounts {
  requests: number;
  /** Answers by class: index 0 = 1xx … 4 = 5xx. */
  status: [number, number, number, number, number];
  /** Requests the proxy answered itself (502) because no upstream could. */
  proxyErrors: number;
  bytesIn: number;
  bytesOut: number;
  connections: number;
  latency: number[];
  latencySumMs: number;
}

export interface TrafficBucket extends TrafficCounts {
  ref: EnvironmentRef;
  releaseId: string;
  role: TrafficRole;
  /** Start of the minute (Unix ms). */
  minute: number;
}

export function emptyCounts(): TrafficCounts {
  return {
    requests: 0,
    status: [0, 0, 0, 0, 0],
    proxyErrors: 0,
    bytesIn: 0,
    bytesOut: 0,
    connections: 0,
    latency: new Array<number>(LATENCY_BUCKETS).fill(0),
    latencySumMs: 0,
  };
}

/** `b - a`, element-wise: what was counted between two snapshots of running totals. */
export function countsBetween(a: TrafficCounts, b: TrafficCounts): TrafficCounts {
  return {
    requests: b.requests - a.requests,
    status: b.status.map((n, i) => n - (a.status[i] ?? 0)) as TrafficCounts['status'],
    proxyErrors: b.proxyErrors - a.proxyErrors,
    bytesIn: b.bytesIn - a.bytesIn,
    bytesOut: b.bytesOut - a.bytesOut,
    connections: b.connections - a.connections,
    latency: b.latency.map((n, i) => n - (a.latency[i] ?? 0)),
    latencySumMs: b.latencySumMs - a.latencySumMs,
  };
}

/** Errors as the statistics count them: 5xx answers plus requests the proxy could not deliver. */
export function errorsOf(counts: TrafficCounts): number {
  return counts.status[4] + counts.proxyErrors;
}

export class TrafficRecorder {
  private buckets = new Map<string, TrafficBucket>();
  private readonly running = new Map<string, TrafficCounts>();
  /** Each tag's key, built once: the proxy records every request, this is on its hot path. */
  private readonly tagKeys = new WeakMap<TrafficTag, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** One HTTP exchange; `status` null = the proxy answered 502 itself. */
  request(
    tag: TrafficTag,
    status: number | null,
    latencyMs: number,
    bytesIn: number,
    bytesOut: number,
  ): void {
    for (const c of this.targets(tag)) {
      c.requests++;
      if (status === null) c.proxyErrors++;
      else {
        const cls = Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
        c.status[cls] = (c.status[cls] ?? 0) + 1;
      }
      c.bytesIn += bytesIn;
      c.bytesOut += bytesOut;
      const ms = Math.max(0, latencyMs);
      const bucket = latencyBucket(ms);
      c.latency[bucket] = (c.latency[bucket] ?? 0) + 1;
      c.latencySumMs += ms;
    }
  }

  /** One TCP connection, counted when it closes (its bytes are known then). */
  connection(tag: TrafficTag, bytesIn: number, bytesOut: number): void {
    for (const c of this.targets(tag)) {
      c.connections++;
      c.bytesIn += bytesIn;
      c.bytesOut += bytesOut;
    }
  }

  /** Every bucket counted since the last call (partial minutes too: the server adds them up). */
  take(): TrafficBucket[] {
    const out = [...this.buckets.values()];
    this.buckets = new Map();
    return out;
  }

  /** A copy of the running totals of one version of an environment. */
  totals(ref: EnvironmentRef, releaseId: string, role: TrafficRole): TrafficCounts {
    const found = this.running.get(JSON.stringify([environmentKey(ref), releaseId, role]));
    return found ? structuredClone(found) : emptyCounts();
  }

  private targets(tag: TrafficTag): TrafficCounts[] {
    const minute = Math.floor(this.now() / 60_000) * 60_000;
    let base = this.tagKeys.get(tag);
    if (base === undefined) {
      base = JSON.stringify([environmentKey(tag.ref), tag.releaseId, tag.role]);
      this.tagKeys.set(tag, base);
    }
    const key = `${base}${minute}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { ...emptyCounts(), ref: tag.ref, releaseId: tag.releaseId, role: tag.role, minute };
      this.buckets.set(key, bucket);
    }
    let total = this.running.get(base);
    if (!total) {
      total = emptyCounts();
      this.running.set(base, total);
    }
    return [bucket, total];
  }
}
