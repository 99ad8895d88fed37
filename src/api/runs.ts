import { z } from 'zod';
import { STATUSES } from '../domain/status.js';
import { failureJsonSchema, skipJsonSchema } from './reasons.js';

export type { FailureJson, SkipJson } from './reasons.js';

/**
 * The API shapes of runs and jobs: the routes answer them (src/server/runs/run-json.ts turns
 * rows into them), the SSE events carry them, the web UI and the CLI read them. One definition,
 * no copies. Times are Unix milliseconds.
 */
const status = z.enum(STATUSES);

/**
 * Why a run was (or is being) canceled: `{code: 'superseded', by: 12}` when run #12 of the same
 * branch or pull request replaced it, `{code: 'user', actor}` when someone canceled it.
 */
export const cancelReasonSchema = z.discriminatedUnion('code', [
  z.object({ code: z.literal('user'), actor: z.string() }),
  z.object({ code: z.literal('superseded'), by: z.number().int() }),
]);
export type CancelReason = z.infer<typeof cancelReasonSchema>;

/** Why a queued run is not leased: `no_matching_agent` with the labels no connected agent offers. */
export const WAITING_CODES = ['no_matching_agent'] as const;
export const waitingJsonSchema = z.object({
  code: z.enum(WAITING_CODES),
  labels: z.array(z.string()),
  message: z.string(),
});

/** One earlier attempt of a job (`retry:`, or its agent was lost), numbered from 1. */
export const jobRetryJsonSchema = z.object({
  attempt: z.number().int(),
  status: z.string(),
  failure: failureJsonSchema.nullable(),
  exitCode: z.number().int().nullable(),
  startedAt: z.number(),
  finishedAt: z.number(),
});
export type JobRetryJson = z.infer<typeof jobRetryJsonSchema>;

/** The records table's test counts and coverage (sums over the run's jobs' test reports). */
export const runTestCountsSchema = z.object({
  total: z.number().int(),
  passed: z.number().int(),
  /** Failures and errors together: both mean a test did not pass. */
  failed: z.number().int(),
  skipped: z.number().int(),
  /** Line coverage in percent, or null when no job reported any. */
  coverage: z.number().nullable(),
});
export type RunTestCounts = z.infer<typeof runTestCountsSchema>;

export const stageJsonSchema = z.object({
  name: z.string(),
  status,
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});
export type StageJson = z.infer<typeof stageJsonSchema>;

export const jobJsonSchema = z.object({
  name: z.string(),
  stage: z.string(),
  status,
  allowFailure: z.boolean(),
  manual: z.boolean(),
  /** `interruptible: true` in `.slipway.yml`: a newer push may cancel the run once it started. */
  interruptible: z.boolean(),
  /** `{reason: 'exit_code', params: {code: 2}, message}`; null unless the job failed. */
  failure: failureJsonSchema.nullable(),
  /** `{code: 'changes', params: {globs, files, more}, message}`; null unless skipped. */
  skip: skipJsonSchema.nullable(),
  exitCode: z.number().int().nullable(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** 1, or 2+ once the job was started over after its agent was lost (SLIPWAY_REQUEUE_LOST). */
  attempt: z.number().int().min(1),
  /**
   * Earlier attempts of the job, oldest first: those `retry:` ran again (exit code, timeout…)
   * and those whose agent was lost. Empty when the job ran once.
   */
  retries: z.array(jobRetryJsonSchema),
});
export type JobJson = z.infer<typeof jobJsonSchema>;

export const runSummarySchema = z.object({
  id: z.string(),
  number: z.number().int(),
  record: z.string(),
  /** The project's name (projects are addressed by name in the API). */
  project: z.string(),
  trigger: z.string(),
  actor: z.string(),
  /** `pull_request`: `name` is the head branch, `number` the request's number. */
  ref: z.object({
    kind: z.enum(['branch', 'tag', 'pull_request']),
    name: z.string(),
    number: z.number().int().optional(),
  }),
  sha: z.string(),
  shortSha: z.string(),
  message: z.string(),
  author: z.string(),
  commitTime: z.number().nullable(),
  status,
  /**
   * Why the run failed. Caused by a job: `params.job` names it and the other parameters are
   * the job's own (`{job: 'test', code: 2}`).
   */
  failure: failureJsonSchema.nullable(),
  /** Null when the run was not canceled (or was canceled before Slipway recorded reasons). */
  cancelReason: cancelReasonSchema.nullable(),
  /** One entry per stage, in pipeline order: the icons of the records table. */
  stages: z.array(stageJsonSchema),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** Null until the run has both started and finished. */
  durationMs: z.number().nullable(),
  parentRunId: z.string().nullable(),
  /** Executions so far: 2+ after a lost agent's run was re-queued and run again. */
  attempt: z.number().int().min(1),
  /** Present while a queued run cannot be leased, and why (queue/waiting-reason.ts). */
  waiting: waitingJsonSchema.optional(),
  /** A release run (trigger `deploy`): which release it executes, for a title in the reader's language. */
  release: z.object({ number: z.number().int(), app: z.string(), env: z.string() }).optional(),
  /**
   * The records table's test counts and coverage (GET …/runs only; null: no test report).
   * Absent from the run events, which keep the value the client already has.
   */
  tests: runTestCountsSchema.nullable().optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const diagnosticJsonSchema = z.object({
  code: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number(),
  col: z.number(),
  path: z.string(),
});
export type DiagnosticJson = z.infer<typeof diagnosticJsonSchema>;

export const runDetailSchema = runSummarySchema.extend({
  jobs: z.array(jobJsonSchema),
  /** Config problems (errors made the run fail with config_error; warnings are informative). */
  diagnostics: z.array(diagnosticJsonSchema),
  /** Names of the run's extra variables; values are never returned. */
  variables: z.array(z.string()),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const runPageSchema = z.object({
  runs: z.array(runSummarySchema),
  /** Pass as `before` to get the next (older) page; null on the last page. */
  next: z.number().int().nullable(),
});
export type RunPage = z.infer<typeof runPageSchema>;
