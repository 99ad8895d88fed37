import { nameSlug } from '../domain/name-slug.js';
import type { Plan, PlanJob } from '../pipeline/plan/plan.js';

export interface RunIdentity {
  runId: string;
  runNumber: number;
  workspacePath: string;
  /** The project's name (CI_PROJECT_NAME); absent: unknown (then the variable is empty). */
  project?: string;
  /** Repository that builds naming no `image:` push to (CI_REGISTRY_IMAGE). */
  imageRepository?: string;
}

/** How GitLab names the sources of a pipeline, for scripts that branch on CI_PIPELINE_SOURCE. */
const PIPELINE_SOURCES: Record<string, string> = {
  push: 'push',
  tag: 'push',
  pull_request: 'merge_request_event',
  manual: 'web',
  cron: 'schedule',
  api: 'api',
};

/**
 * The variables every job sees. Names follow Slipway's own prefix, with the GitLab CI names
 * teams already use in their scripts as aliases. Branch names and commit messages are
 * attacker-controlled in pull requests: they are only ever passed as environment values.
 * The same map is what `$VAR` in `image`, `services` and `build` expands against
 * (expand-job.ts); the linter knows the names from
 * domain/standard-variables.ts (a test keeps the two lists equal).
 */
export function standardEnv(plan: Plan, job: PlanJob, run: RunIdentity): Record<string, string> {
  const { event } = plan;
  const branch = event.ref.kind === 'branch' ? event.ref.name : '';
  const tag = event.ref.kind === 'tag' ? event.ref.name : '';
  const shortSha = event.sha.slice(0, 7);
  const repository = run.imageRepository ?? '';
  const env: Record<string, string> = {
    CI: 'true',
    SLIPWAY: 'true',
    SLIPWAY_RUN_ID: run.runId,
    SLIPWAY_RUN_NUMBER: String(run.runNumber),
    SLIPWAY_RECORD: plan.record,
    SLIPWAY_EVENT: event.kind,
    SLIPWAY_REF: event.ref.name,
    SLIPWAY_BRANCH: branch,
    SLIPWAY_TAG: tag,
    SLIPWAY_GITFLOW: plan.gitflow ?? '',
    SLIPWAY_COMMIT_SHA: event.sha,
    SLIPWAY_COMMIT_SHORT_SHA: shortSha,
    SLIPWAY_COMMIT_MESSAGE: event.message,
    SLIPWAY_COMMIT_AUTHOR: event.author,
    SLIPWAY_JOB: job.name,
    SLIPWAY_JOB_SLUG: nameSlug(job.name),
    SLIPWAY_STAGE: job.stage,
    SLIPWAY_WORKSPACE: run.workspacePath,
    CI_COMMIT_SHA: event.sha,
    CI_COMMIT_SHORT_SHA: shortSha,
    CI_COMMIT_REF_NAME: event.ref.name,
    CI_COMMIT_REF_SLUG: refSlug(event.ref.name),
    CI_COMMIT_MESSAGE: event.message,
    CI_DEFAULT_BRANCH: event.defaultBranch ?? '',
    CI_JOB_NAME: job.name,
    CI_JOB_NAME_SLUG: nameSlug(job.name),
    CI_JOB_STAGE: job.stage,
    CI_PIPELINE_ID: run.runId,
    CI_PIPELINE_IID: String(run.runNumber),
    CI_PIPELINE_SOURCE: PIPELINE_SOURCES[event.kind] ?? event.kind,
    CI_PROJECT_DIR: run.workspacePath,
    CI_PROJECT_NAME: run.project ?? '',
    // Slipway projects have no namespace: the path is the name.
    CI_PROJECT_PATH: run.project ?? '',
    CI_REGISTRY: registryHost(repository),
    CI_REGISTRY_IMAGE: repository,
  };
  if (branch) env.CI_COMMIT_BRANCH = branch;
  if (tag) env.CI_COMMIT_TAG = tag;
  return env;
}

/**
 * GitLab's CI_COMMIT_REF_SLUG: lowercase, every run of characters other than a-z and 0-9
 * becomes `-`, at most 63 characters, no `-` at either end — fit for a host name or an image tag.
 */
export function refSlug(ref: string): string {
  return ref
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/** The registry part of a repository (`registry.example:5000/team/api` → host:port), or ''. */
function registryHost(repository: string): string {
  const first = repository.split('/')[0] ?? '';
  return repository.includes('/') && /[.:]|^localhost$/.test(first) ? first : '';
}
