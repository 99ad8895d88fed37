/**
 * Sends what the agent's proxies counted (deploy/traffic-recorder.ts) to the server every
 * `intervalMs` (well under a minute, so a minute's counters arrive within it) and once more
 * when the agent stops. Each batch becomes a report with its own id; a report stays queued
 * here, with the same id, until the server acknowledged it — a report whose answer was lost
 * (server restart, network) is sent again and the server, knowing the id, does not add it
 * twice. Reports go out oldest first; the queue is bounded (MAX_PENDING): past it the oldest
 * is dropped, and said so, rather than letting a long outage grow the agent without limit.
 */
import { randomUUID } from 'node:crypto';
import type { TrafficBucket, TrafficRecorder } from '../deploy/traffic-recorder.js';
import type { TrafficReportMessage } from '../protocol/agent-protocol.js';
import type { AgentTransport } from '../protocol/agent-transport.js';

const MAX_PENDING = 240;
const MAX_ENVIRONMENTS = 500;

export interface TrafficReporterOptions {
  recorder: TrafficRecorder;
  transport: AgentTransport;
  intervalMs: number;
  log: (message: string) => void;
  newId?: () => string;
}

/** Starts reporting; `stop` sends what was counted since the last report, then resolves. */
export function startTrafficReporter(opts: TrafficReporterOptions): () => Promise<void> {
  const send = opts.transport.reportTraffic?.bind(opts.transport);
  if (!send) return async () => {};
  const newId = opts.newId ?? randomUUID;
  const pending: TrafficReportMessage[] = [];
  let failing = false;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  const flush = async (): Promise<void> => {
    pending.push(...toReports(opts.recorder.take(), newId));
    while (pending.length > MAX_PENDING) {
      const dropped = pending.shift();
      opts.log(`traffic report ${dropped?.reportId} dropped: the server has not taken reports for too long`);
    }
    while (pending.length > 0) {
      try {
        await send(pending[0] as TrafficReportMessage);
        pending.shift();
        if (failing) opts.log('reporting traffic works again');
        failing = false;
      } catch (error) {
        if (!failing)
          opts.log(
            `cannot report traffic (kept for the next try): ${error instanceof Error ? error.message : String(error)}`,
          );
        failing = true;
        return;
      }
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = flush().finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  };
  schedule();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await current;
    await flush();
  };
}

/** Buckets grouped per environment, in reports of at most MAX_ENVIRONMENTS environments. */
export function toReports(buckets: TrafficBucket[], newId: () => string): TrafficReportMessage[] {
  if (buckets.length === 0) return [];
  const byEnv = new Map<string, TrafficReportMessage['environments'][number]>();
  for (const b of buckets) {
    const key = JSON.stringify([b.ref.project, b.ref.app, b.ref.env]);
    let entry = byEnv.get(key);
    if (!entry) {
      entry = { project: b.ref.project, app: b.ref.app, env: b.ref.env, buckets: [] };
      byEnv.set(key, entry);
    }
    entry.buckets.push({
      releaseId: b.releaseId,
      role: b.role,
      minute: b.minute,
      requests: b.requests,
      status: [...b.status],
      proxyErrors: b.proxyErrors,
      bytesIn: b.bytesIn,
      bytesOut: b.bytesOut,
      connections: b.connections,
      latency: [...b.latency],
      latencySumMs: b.latencySumMs,
    });
  }
  const environments = [...byEnv.values()];
  const reports: TrafficReportMessage[] = [];
  for (let i = 0; i < environments.length; i += MAX_ENVIRONMENTS) {
    reports.push({ reportId: newId(), environments: environments.slice(i, i + MAX_ENVIRONMENTS) });
  }
  return reports;
}
