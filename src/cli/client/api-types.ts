import type { Status } from '../../domain/status.js';

/** The parts of the API's JSON the CLI prints (the full shapes live in server/runs/run-json.ts). */
export interface RunSummaryJson {
  number: number;
  record: string;
  trigger: string;
  actor: string;
  ref: { kind: string; name: string };
  shortSha: string;
  status: Status;
  failure: { reason: string; message: string } | null;
  /** Why it was canceled (server/runs/cancel-reason.ts); null or absent otherwise. */
  cancelReason?: { code: 'user'; actor: string } | { code: 'superseded'; by: number } | null;
  stages: { name: string; status: Status; startedAt: number | null; finishedAt: number | null }[];
  createdAt: number;
  durationMs: number | null;
  commitTime: number | null;
}

export interface JobJson {
  name: string;
  stage: string;
  status: Status;
  failure: { reason: string; message: string } | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface RunDetailJson extends RunSummaryJson {
  jobs: JobJson[];
}

export interface ProjectJson {
  name: string;
  source: { kind: string; url?: string; forge?: string };
  gitUrl?: string;
  defaultBranch: string;
  latestRun?: { number: number; record: string; status: Status } | null;
}
