import type { PipelineEvent } from '../../domain/event.js';
import type { GitFlowClass } from '../../domain/gitflow.js';
import type { ResourceRequest } from '../../domain/job-resources.js';
import type { ReasonParams } from '../../domain/reason-codes.js';
import type { SystemLineParams } from '../../domain/system-line-codes.js';
import type { PlanArtifacts, PlanReports } from './plan-artifacts.js';
import type { PlanCache } from './plan-cache.js';
import type { PlanClone } from './plan-clone.js';
import type { FlowSkipCode, PlanJobFlow } from './plan-flow.js';

/**
 * A Plan is the compiled pipeline for one event: plain JSON, no functions, no classes, so it can
 * be stored, sent to an agent and diffed in tests. Everything the runtime needs is in here; the
 * config is not consulted again.
 */
export interface Plan {
  version: 1;
  /** Record name: `branch-shortsha`, or the tag name. */
  record: string;
  event: PipelineEvent;
  gitflow: GitFlowClass | null;
  /** Set when the whole run is skipped (`[skip ci]`); stages are still listed. */
  skip: SkipReason | null;
  /** Pipeline-level environment (already merged into each job's env). */
  stages: PlanStage[];
  /**
   * Agent labels the run needs: the union of the top-level and every job's `runs_on` (a lease
   * is the whole run, so one agent must have them all). Absent in plans stored before labels.
   */
  runsOn?: Record<string, string>;
  /** `clone:` (plan-clone.ts); absent: the default shallow checkout. */
  clone?: PlanClone | false;
}

export interface PlanStage {
  name: string;
  jobs: PlanJob[];
}

export interface SkipReason {
  code:
    | 'skip_ci'
    | 'filtered'
    | 'not_selected'
    | 'upstream_failed'
    | 'needs_not_run'
    | 'run_canceled'
    | FlowSkipCode;
  message: string;
  /** What the UI fills the code's text with (domain/reason-codes.ts), e.g. `changes`' files. */
  params?: ReasonParams;
}

export interface PlanService {
  name: string;
  image: string;
  env: Record<string, string>;
  /** Command override; null keeps the image's default. */
  command: string[] | null;
}

export interface PlanJob extends PlanJobFlow {
  /** Unique in the pipeline (job names are unique across stages). */
  name: string;
  stage: string;
  image: string;
  script: string[];
  /** Pipeline env merged with job env; does not include secrets or the standard variables. */
  env: Record<string, string>;
  /** Names of the secrets this job may see. */
  secrets: string[];
  services: PlanService[];
  allowFailure: boolean;
  timeoutMs: number;
  /**
   * Jobs that must succeed before this one starts. Compiled for every job: explicit `needs`,
   * or else every job of the previous stages.
   */
  dependsOn: string[];
  /** True when `needs` was written: the job may start before its stage. */
  dag: boolean;
  manual: boolean;
  /** Non-null when the plan already knows the job will not run (filters, [skip ci]). */
  skip: SkipReason | null;
  /**
   * `interruptible: true`: once this job has started, a newer push may still cancel the run
   * (server/runs/supersede-runs.ts). Absent means false.
   */
  interruptible?: boolean;
  /** Present for `build:` jobs (then `script` is empty): build an image instead of a script. */
  build?: PlanBuild;
  /** Present for `deploy:` jobs (then `script` is empty). */
  deploy?: PlanDeploy;
  /** What `resources:` asked for; the runner applies its defaults and maxima. */
  resources?: ResourceRequest;
  /** This job's own `runs_on` (the run's `runsOn` already includes it). */
  runsOn?: Record<string, string>;
  /** `cache:` entries (plan-cache.ts); absent when the job has none. */
  caches?: PlanCache[];
  /** `artifacts:`: what the agent uploads after the job. Absent: nothing. */
  artifacts?: PlanArtifacts;
  /** `reports:`: JUnit files and coverage the agent reports after the job. */
  reports?: PlanReports;
  /** Manual/API/scheduled runs: why `changes:` let the job run (printed first in its log). */
  changesNote?: string;
  /** The note's code and params, so the log line can be translated (absent in older plans). */
  changesNoteCode?: ChangesNoteCode;
}

/** The code of a job's changes note and its params (domain/system-line-codes.ts). */
export type ChangesNoteCode =
  | { code: 'changes.matched'; params: SystemLineParams<'changes.matched'> }
  | { code: 'changes.no_base'; params: SystemLineParams<'changes.no_base'> };

export interface PlanBuild {
  /** Relative to the workspace. */
  dockerfile: string;
  /** Relative to the workspace. */
  context: string;
  target: string | null;
  args: Record<string, string>;
  cache: boolean;
  /** Repository without tag; null = the project's name (known to the runtime, not the planner). */
  repository: string | null;
  /** Resolved tags (record name, latest on the default branch, or the configured ones). */
  tags: string[];
  /** null = push when a registry is known for the repository. */
  push: boolean | null;
  registry: string | null;
  /** Names of project secrets exposed as BuildKit secrets. */
  secrets: string[];
}

export interface PlanDeploy {
  app: string;
  env: string;
  /** Name of the build job whose image is deployed; null = the only build job of the run. */
  from: string | null;
  /** A fixed image reference instead of a built one. */
  image: string | null;
}
