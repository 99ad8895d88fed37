import type { LogLine } from '../domain/log-line.js';
import type { FailureReason, Status } from '../domain/status.js';
import type { SkipReason } from '../pipeline/plan/plan.js';

export interface JobResult {
  name: string;
  stage: string;
  status: Status;
  allowFailure: boolean;
  /** Set when status is failed. */
  failure: { reason: FailureReason; message: string } | null;
  /** Set when status is skipped. */
  skip: SkipReason | null;
  exitCode: number | null;
  startedAt: number | null;
  finishedAt: number | null;
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
