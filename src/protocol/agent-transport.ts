import type { Readable } from 'node:stream';
import type {
  EnvironmentReportAnswer,
  EnvironmentReportMessage,
  JobResultMessage,
  LeaseMessage,
  LogBatchMessage,
  RunFinishMessage,
  TrafficReportAnswer,
  TrafficReportMessage,
} from './agent-protocol.js';
import type { ArtifactSource, ArtifactStoredMessage, TestReportMessage } from './artifact-protocol.js';

/** How long the server keeps an upload: ms, 'never', or null for its default. */
export interface ArtifactUploadMeta {
  name: string | null;
  expireInMs: number | 'never' | null;
}

/**
 * How an agent talks to the server. Two implementations with the same behaviour: over HTTP
 * (a standalone `slipway agent`) and in-process (the server's embedded agent). The agent never
 * knows which one it has.
 *
 * Lifecycle: `lease` is long-polled in a loop; for each lease the agent calls `source` once,
 * then `jobUpdate`/`logs` as the run progresses (in order per job), `heartbeat` every
 * `heartbeatMs`, and `finish` exactly once. A `{ cancel: true }` answer means: stop the run.
 * Errors are thrown as-is; a thrown `LeaseGoneError` means the server no longer recognises the
 * lease (expired, revoked, or the run was deleted): stop the run without reporting further.
 * `lease` throws `AgentRefusedError` when the server will not take this agent at all.
 * Transports retry what is safe to retry (network errors, 503) themselves; the server treats a
 * repeated job update or log batch as already applied.
 */
export interface AgentTransport {
  lease(waitMs: number, signal: AbortSignal): Promise<LeaseMessage | null>;
  heartbeat(leaseId: string): Promise<{ cancel: boolean }>;
  jobUpdate(leaseId: string, update: JobResultMessage): Promise<{ cancel: boolean }>;
  logs(leaseId: string, batch: LogBatchMessage): Promise<{ cancel: boolean }>;
  source(leaseId: string): Promise<Readable>;
  finish(leaseId: string, result: RunFinishMessage): Promise<void>;
  /**
   * What runs on the agent's engine (the complete list), for observed environment health. Not
   * retried: the agent reports again on its next tick. Optional: without it the agent does not
   * report (the server then shows the release result).
   */
  reportEnvironments?(report: EnvironmentReportMessage): Promise<EnvironmentReportAnswer>;
  /**
   * Traffic the agent's proxies counted. Not retried by the transport: the agent's traffic
   * reporter keeps the report (same id) and sends it again. Optional: without it nothing is sent.
   */
  reportTraffic?(report: TrafficReportMessage): Promise<TrafficReportAnswer>;
  /**
   * Artifacts and test reports (protocol/artifact-protocol.ts). Optional: an agent whose
   * transport lacks them says in the job's log that artifacts and reports were not kept.
   * `uploadArtifacts` streams the tar.gz once (not retried: a stream cannot be replayed) and
   * rejects with the server's reason (413 past a cap, 400 for a refused entry).
   */
  uploadArtifacts?(
    leaseId: string,
    job: string,
    archive: Readable,
    meta: ArtifactUploadMeta,
  ): Promise<ArtifactStoredMessage>;
  downloadArtifacts?(leaseId: string, source: ArtifactSource): Promise<Readable>;
  reportTests?(leaseId: string, report: TestReportMessage): Promise<void>;
  /**
   * The server's cache store, scoped to the lease's project (optional: without them the agent
   * keeps caches to itself). `cacheDownload` answers null when the server has no archive of
   * `key` holding exactly `paths`; `cacheUpload` streams a tar (entries `<path index>/…`) and
   * throws when the server refuses it (too large, untrusted run).
   */
  cacheDownload?(leaseId: string, cache: CacheRef): Promise<CacheArchive | null>;
  cacheUpload?(leaseId: string, cache: CacheRef, tar: Readable): Promise<void>;
}

/** A cache as the server's store names it: the key and the directories it holds. */
export interface CacheRef {
  key: string;
  paths: string[];
}

export interface CacheArchive {
  size: number;
  tar: Readable;
}

export class LeaseGoneError extends Error {}

/**
 * The server refuses this agent altogether (unknown or revoked token, another protocol
 * version): retrying cannot help, so the agent stops and says why.
 */
export class AgentRefusedError extends Error {}
