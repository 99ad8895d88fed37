import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { plainJob } from '../../pipeline/plan/plain-job.js';
import type { Plan } from '../../pipeline/plan/plan.js';
import { enqueue } from '../queue/enqueue.js';
import { allocateRunNumber, initialRunStatus, insertRunWithJobs, plannedJobRows } from '../runs/run-rows.js';
import type { Database, ProjectRow, RunRow } from '../store/tables.js';

/** The one job of a release run (also what the lease's `deployments` is keyed by). */
export const RELEASE_JOB = 'deploy';
/** A rollout waits for health checks and rolling updates; generous, but bounded. */
const RELEASE_TIMEOUT_MS = 30 * 60_000;

export interface ReleaseRunInput {
  project: ProjectRow;
  app: string;
  env: string;
  releaseNumber: number;
  /** The fixed image (null for scale: nothing new is rolled out). */
  image: string | null;
  /** Approval-gated: the job waits as `manual` until a maintainer approves (plays) it. */
  awaitApproval: boolean;
  actor: string;
  /** Where the image came from, shown on the run page; the project's default branch otherwise. */
  source: { ref: { kind: 'branch' | 'tag'; name: string }; sha: string } | null;
  now: number;
}

/**
 * A release is executed by an agent as a run of its own (trigger `deploy`) whose plan has one
 * `deploy` job: queued, leased, logged and shown like any run. It needs no source — the agent
 * gives it an empty workspace — so nothing reads `.slipway.yml` here. Call it inside the
 * transaction that records the release, so an acknowledged release is always queued.
 */
export async function insertReleaseRun(trx: Transaction<Database>, input: ReleaseRunInput): Promise<RunRow> {
  const id = randomUUID();
  const ref = input.source?.ref ?? { kind: 'branch' as const, name: input.project.default_branch };
  const sha = input.source?.sha ?? '';
  const record = `${input.app}-${input.env}-r${input.releaseNumber}`;
  const message = `release #${input.releaseNumber} of ${input.app} to ${input.env}`;
  const plan: Plan = {
    version: 1,
    record,
    event: { kind: 'manual', ref, sha, author: input.actor, message },
    gitflow: null,
    skip: null,
    stages: [
      {
        name: 'deploy',
        jobs: [
          plainJob(RELEASE_JOB, 'deploy', RELEASE_TIMEOUT_MS, {
            manual: input.awaitApproval,
            deploy: { app: input.app, env: input.env, from: null, image: input.image },
          }),
        ],
      },
    ],
  };
  const jobs = plannedJobRows(id, plan);
  const status = initialRunStatus(plan, jobs);
  const row: RunRow = {
    id,
    project_id: input.project.id,
    number: await allocateRunNumber(trx, input.project.id),
    record,
    trigger: 'deploy',
    actor: input.actor,
    ref_kind: ref.kind,
    ref_name: ref.name,
    sha,
    message,
    author: input.actor,
    commit_time: null,
    status,
    failure_reason: null,
    failure_message: null,
    plan: JSON.stringify(plan),
    diagnostics: '[]',
    variables: '{}',
    untrusted: 0,
    parent_run_id: null,
    created_at: input.now,
    started_at: null,
    finished_at: null,
  };
  await insertRunWithJobs(trx, row, jobs);
  if (status === 'queued') {
    await enqueue(trx, {
      runId: id,
      projectId: input.project.id,
      jobs: [],
      runManual: false,
      reuseWorkspace: false,
      now: input.now,
    });
  }
  return row;
}
