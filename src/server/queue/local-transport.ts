import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import {
  type EnvironmentReportAnswer,
  type EnvironmentReportMessage,
  type JobResultMessage,
  type LeaseMessage,
  type LogBatchMessage,
  type RunFinishMessage,
  type TrafficReportAnswer,
  type TrafficReportMessage,
  trafficReportSchema,
} from '../../protocol/agent-protocol.js';
import {
  type AgentTransport,
  type CacheArchive,
  type CacheRef,
  LeaseGoneError,
} from '../../protocol/agent-transport.js';
import { testReportSchema } from '../../protocol/artifact-protocol.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { leaseRun } from '../artifacts/lease-run.js';
import { storeTestReport } from '../artifacts/test-report-store.js';
import type { AgentCaches } from '../caches/agent-caches.js';
import { AppError } from '../errors.js';
import type { QueueService } from '../services.js';
import type { Database } from '../store/tables.js';

/**
 * The agent protocol in-process, for the server's embedded agent: the same QueueService calls
 * the HTTP routes make, with the same meaning — a lease the server no longer recognises
 * (not_found) becomes LeaseGoneError, exactly as a 404 does over HTTP. There is no token: the
 * embedded agent is the server itself, identified by its agent row.
 */
export class LocalTransport implements AgentTransport {
  constructor(
    private readonly queue: QueueService,
    private readonly agentId: string,
    /** Records what the agent observes (deploys/environment-observations.ts); none: not recorded. */
    private readonly observe: EnvironmentObserver | null = null,
    /** Artifacts and reports in-process; none: the agent says they were not kept. */
    private readonly artifacts: LocalArtifacts | null = null,
    /** The server's cache store; none: the embedded agent keeps caches to itself. */
    private readonly caches: AgentCaches | null = null,
    /** Stores proxy traffic counters (traffic/traffic-reports.ts); none: not reported. */
    private readonly traffic: TrafficRecorderCall | null = null,
  ) {
    if (!traffic) this.reportTraffic = undefined;
    if (!artifacts) {
      this.uploadArtifacts = undefined;
      this.downloadArtifacts = undefined;
      this.reportTests = undefined;
    }
  }

  uploadArtifacts?: AgentTransport['uploadArtifacts'] = async (leaseId, job, archive, meta) => {
    const deps = this.artifacts as LocalArtifacts;
    const run = await gone(leaseRun(deps.db, this.agentId, leaseId));
    return deps.store.receive(run, job, archive, meta);
  };

  downloadArtifacts?: AgentTransport['downloadArtifacts'] = async (leaseId, source) => {
    const deps = this.artifacts as LocalArtifacts;
    const run = await gone(leaseRun(deps.db, this.agentId, leaseId));
    const row = run.readable.has(source.runId) ? await deps.store.find(source.runId, source.job) : undefined;
    if (!row) throw new Error(`artifacts of job "${source.job}" not found`);
    return deps.store.open(row);
  };

  reportTests?: AgentTransport['reportTests'] = async (leaseId, report) => {
    const deps = this.artifacts as LocalArtifacts;
    const run = await gone(leaseRun(deps.db, this.agentId, leaseId));
    await storeTestReport(deps.db, run.runId, testReportSchema.parse(report), deps.now());
  };

  async cacheDownload(leaseId: string, cache: CacheRef): Promise<CacheArchive | null> {
    if (!this.caches) return null;
    const found = await gone(this.caches.download(this.agentId, leaseId, cache));
    return found ? { size: found.entry.size, tar: found.open() } : null;
  }

  async cacheUpload(leaseId: string, cache: CacheRef, tar: Readable): Promise<void> {
    if (!this.caches) {
      tar.resume();
      return;
    }
    await gone(this.caches.upload(this.agentId, leaseId, cache, tar, null));
  }

  async reportEnvironments(report: EnvironmentReportMessage): Promise<EnvironmentReportAnswer> {
    return (await this.observe?.(this.agentId, report)) ?? { remove: [] };
  }

  reportTraffic?: AgentTransport['reportTraffic'] = async (report) => {
    if (!this.traffic) return { stored: 0, ignored: 0, duplicate: false };
    return this.traffic(this.agentId, trafficReportSchema.parse(report));
  };

  lease(waitMs: number, signal: AbortSignal): Promise<LeaseMessage | null> {
    return this.queue.lease(this.agentId, waitMs, signal);
  }

  heartbeat(leaseId: string): Promise<{ cancel: boolean }> {
    return gone(this.queue.heartbeat(this.agentId, leaseId));
  }

  jobUpdate(leaseId: string, update: JobResultMessage): Promise<{ cancel: boolean }> {
    return gone(this.queue.jobUpdate(this.agentId, leaseId, update));
  }

  logs(leaseId: string, batch: LogBatchMessage): Promise<{ cancel: boolean }> {
    return gone(this.queue.logs(this.agentId, leaseId, batch));
  }

  source(leaseId: string): Promise<Readable> {
    return gone(this.queue.source(this.agentId, leaseId));
  }

  finish(leaseId: string, result: RunFinishMessage): Promise<void> {
    return gone(this.queue.finish(this.agentId, leaseId, result));
  }
}

export interface LocalArtifacts {
  db: Kysely<Database>;
  store: ArtifactStore;
  now: () => number;
}

export type TrafficRecorderCall = (
  agentId: string,
  report: TrafficReportMessage,
) => Promise<TrafficReportAnswer>;

export type EnvironmentObserver = (
  agentId: string,
  report: EnvironmentReportMessage,
) => Promise<EnvironmentReportAnswer>;

async function gone<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') throw new LeaseGoneError(error.message);
    throw error;
  }
}
