import type { BuiltImage } from '../backends/backend.js';
import type { LogLine } from '../domain/log-line.js';
import type { Failure } from '../domain/reason-codes.js';
import type { Status } from '../domain/status.js';
import type { SkipReason } from '../pipeline/plan/plan.js';

export interface JobResult {
  name: string;
  stage: string;
  status: Status;
  allowFailure: boolean;
  /** Set when status is failed. */
  failure: Failure | null;
  /** Set when status is skipped. */
  skip: SkipReason | null;
  exitCode: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** What a successful build job produced. */
  image?: BuiltImage;
  /** What a deploy job released. */
  release?: JobRelease;
  /** Which attempt of the job this is, once it was retried (`retry:`); absent means 1. */
  attempt?: number;
  /** Earlier attempts of a retried job, oldest first (each one failed). */
  attempts?: JobAttempt[];
}

/** One finished attempt of a job that was retried after it. */
export interface JobAttempt {
  attempt: number;
  status: Status;
  failure: Failure | null;
  exitCode: number | null;
  startedAt: number;
  finishedAt: number;
}

/** A deploy job's release as the protocol reports it (runtime may not import protocol). */
export interface JobRelease {
  id: string;
  status: 'succeeded' | 'failed' | 'rolled_back' | 'canceled';
  reason?: string;
  /** A stable code for `reason` with its parameters (domain/reason-codes.ts RELEASE_REASONS). */
  reasonCode?: string;
  reasonParams?: Record<string, string | number>;
  /** The image reference actually deployed. */
  image?: string;
  digest?: string | null;
}

export interface StageResult {
  name: string;
  status: Status;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface RunResult {
  runId: string;
  record: string;
  status: Status;
  stages: StageResult[];
  jobs: JobResult[];
  startedAt: number;
  finishedAt: number;
}

/** What the runtime reports while it works; the CLI prints these, the agent forwards them. */
export type RunEvent = { type: 'job'; job: JobResult } | { type: 'log'; job: string; line: LogLine };
