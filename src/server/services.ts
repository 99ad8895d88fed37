import type { Readable } from 'node:stream';
import type { ProjectEventKind } from '../api/events.js';
import type { PipelineEvent } from '../domain/event.js';
import type { LogLine } from '../domain/log-line.js';
import type { Ref } from '../domain/ref.js';
import type {
  JobResultMessage,
  LeaseMessage,
  LogBatchMessage,
  RunFinishMessage,
} from '../protocol/agent-protocol.js';
import type { CheckoutOptions } from './git/checkout-archive.js';
import type { ProjectRow, RunRow } from './store/tables.js';

/**
 * The seams between the server's areas. Each is implemented in its own folder and injected
 * through ServerContext; routes and other services depend on these interfaces only.
 */

/** Git data of a project, from the built-in bare repo or the mirror of a remote. */
export interface SourceService {
  /** Creates the bare repository of a built-in project (idempotent). */
  ensureRepository(project: ProjectRow): Promise<void>;
  /** Fetches a remote project's mirror (no-op for built-in). */
  refresh(project: ProjectRow): Promise<void>;
  /** Why the server will not fetch a remote project's URL (outbound policy), or null. */
  remoteRefusal?(project: ProjectRow): Promise<string | null>;
  /** `null` when the ref or file does not exist. `ref` is a sha or a full/short ref name. */
  readFile(project: ProjectRow, ref: string, path: string): Promise<string | null>;
  /** Paths of the files under `dir` ('' = all) at `ref`, for `include:` globs. */
  listFiles?(project: ProjectRow, ref: string, dir: string): Promise<string[]>;
  resolve(project: ProjectRow, ref: Ref): Promise<string | null>;
  /** `sha` may name an annotated tag: `sha` in the answer is then the commit it points at. */
  commitInfo(
    project: ProjectRow,
    sha: string,
  ): Promise<{ message: string; author: string; time: number; sha?: string } | null>;
  listRefs(project: ProjectRow): Promise<{ branches: RefInfo[]; tags: RefInfo[] }>;
  /** A tar of the tree at `sha` (no .git, no credentials) — what agents put in the workspace. */
  archive(project: ProjectRow, sha: string): Promise<Readable>;
  /** A tar of the tree at `sha` with a shallow `.git` of it (git/checkout-archive.ts, `clone:`). */
  checkout?(project: ProjectRow, sha: string, opts: CheckoutOptions): Promise<Readable>;
  /** Commits `dir` as the new head of `branch` of a built-in repository (the demo project). */
  commitDirectory(project: ProjectRow, dir: string, branch: string, message: string): Promise<string>;
  /** Files changed between two commits (for `changes:` later); [] when unknown. */
  changedFiles(
    project: ProjectRow,
    before: string | null,
    after: string,
    newBranchBase?: string,
  ): Promise<string[]>;
}

export interface RefInfo {
  name: string;
  sha: string;
}

export type Trigger = 'push' | 'tag' | 'pull_request' | 'manual' | 'cron' | 'api' | 'rerun';

export interface CreateRunInput {
  project: ProjectRow;
  event: PipelineEvent;
  trigger: Trigger;
  /** The forge user, or the Slipway user who clicked / called the API. */
  actor: string;
  variables?: Record<string, string>;
  /** Fork pull requests and other untrusted events: no secrets are handed to the agent. */
  untrusted?: boolean;
}

/** Creating, changing and reading runs. Every change is published on the EventBus. */
export interface RunService {
  /** Reads `.slipway.yml` at the event's sha, plans, stores the run and its jobs, queues it. */
  createRun(input: CreateRunInput): Promise<RunRow>;
  /** Idempotent. Queued runs end canceled at once; running ones are told via their lease. */
  cancel(runId: string, by: string): Promise<void>;
  /** A new run on the same commit: all jobs, or (`failedOnly`) only failed/skipped ones, reusing the workspace. */
  rerun(runId: string, opts: { failedOnly: boolean; by: string }): Promise<RunRow>;
  /** Starts a `when: manual` job of a run. */
  playJob(runId: string, job: string, by: string): Promise<void>;
}

/**
 * The single writer of run and job state after creation. The queue calls it with what agents
 * report; it recomputes stage/run status, stores it and publishes ProjectEvents.
 */
export interface RunState {
  runStarted(runId: string): Promise<void>;
  /** A job's new state as reported by the agent (ignored once the job is terminal). */
  jobUpdate(runId: string, job: JobResultMessage): Promise<void>;
  /** The execution ended; jobs still not terminal end skipped (or canceled when the run was). */
  runFinished(runId: string, result: RunFinishMessage): Promise<void>;
  /** The agent vanished: running jobs fail with `reason`, pending ones are skipped, run fails. */
  failUnfinished(runId: string, reason: 'agent_lost', message: string): Promise<void>;
  /** A re-queued run goes back to queued; its running jobs back to pending. */
  requeued(runId: string, message?: string): Promise<void>;
}

/** Agent-facing side of the queue (the protocol's server half). */
export interface QueueService {
  /** Next execution this agent may take, or null (after waiting up to `waitMs`). */
  lease(agentId: string, waitMs: number, signal?: AbortSignal): Promise<LeaseMessage | null>;
  /** Returns whether the agent should cancel the run. Throws not_found when the lease is gone. */
  heartbeat(agentId: string, leaseId: string): Promise<{ cancel: boolean }>;
  jobUpdate(agentId: string, leaseId: string, update: JobResultMessage): Promise<{ cancel: boolean }>;
  logs(agentId: string, leaseId: string, batch: LogBatchMessage): Promise<{ cancel: boolean }>;
  finish(agentId: string, leaseId: string, result: RunFinishMessage): Promise<void>;
  /** Source tar for a lease (checked against the agent holding it). */
  source(agentId: string, leaseId: string): Promise<Readable>;
  /** Ends leases whose agent stopped heartbeating: "agent lost", or re-queued. */
  expireLeases(now: number): Promise<number>;
  /** Deletes the agent (its token stops working), ends its leases and its open lease polls. */
  revokeAgent(agentId: string): Promise<void>;
}

/** Numbered log lines per job: stored, bounded, fanned out live. */
export interface LogService {
  /**
   * `lines` are numbered by the agent from 1 per attempt; `attempt` (default 1) is the queue
   * attempt that sent them: a later attempt's lines are stored after the earlier attempts'.
   */
  append(runId: string, job: string, lines: LogLine[], attempt?: number): Promise<void>;
  /** Lines with n > after, at most `limit`. */
  read(runId: string, job: string, after: number, limit: number): Promise<LogLine[]>;
  /** Live lines as they are appended; returns an unsubscribe function. */
  subscribe(runId: string, job: string, onLines: (lines: LogLine[]) => void): () => void;
}

/** Run, stage and job status changes per project, for SSE and the UI. */
export interface ProjectEvent {
  /**
   * `image`: a build job's image was recorded (data: ImageEventData of images/image-catalogue.ts);
   * `release`: a release changed (data: ReleaseEventData of deploys/release-live-events.ts).
   */
  type: ProjectEventKind;
  projectId: string;
  runId: string;
  number: number;
  /** The run summary (type run) or the job row (type job), as the API shows them. */
  data: unknown;
}

export interface EventBus {
  publish(event: ProjectEvent): void;
  subscribe(projectId: string, listener: (event: ProjectEvent) => void): () => void;
}

/** Symmetric encryption of secrets at rest (AES-256-GCM with the server key). */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}
