import { parseDuration } from '../../domain/duration.js';
import type { PipelineEvent } from '../../domain/event.js';
import type { FailureReason } from '../../domain/status.js';
import type { JobConfig, PipelineConfig } from '../config/schema.js';
import type { RetryConfig, RetryWhen } from '../config/schema-flow.js';
import { changesSkip } from './compile-changes.js';
import { evaluateFilters } from './filters.js';
import type { PlanJob, SkipReason } from './plan.js';
import type { PlanJobFlow, PlanRetry } from './plan-flow.js';

type FlowFields = PlanJobFlow & Pick<PlanJob, 'allowFailure' | 'manual'> & { never: boolean };

/**
 * The flow keys of one job → plan fields (see plan-flow.ts). Pure. Defaults are left absent so
 * a job without these keys compiles to exactly what it compiled to before they existed.
 */
export function compileFlow(job: JobConfig): FlowFields {
  const manual = job.when === 'manual';
  const allow = job.allow_failure;
  const codes = typeof allow === 'object' ? list(allow.exit_codes) : null;
  const before = lines(job.before_script);
  const after = lines(job.after_script);
  const afterTimeout = job.after_script_timeout ? parseDuration(job.after_script_timeout) : null;
  const retry = job.retry === undefined ? null : compileRetry(job.retry);
  return {
    manual,
    never: job.when === 'never',
    // Manual jobs are optional (GitLab's default): a job nobody clicked never fails the run.
    // With exit codes the allowance is decided when the job ends (runtime/job-flow.ts).
    allowFailure: typeof allow === 'boolean' ? allow : codes ? false : manual,
    ...(codes ? { allowFailureExitCodes: codes } : {}),
    ...(before.length > 0 ? { beforeScript: before } : {}),
    ...(after.length > 0 ? { afterScript: after } : {}),
    ...(after.length > 0 && afterTimeout !== null ? { afterScriptTimeoutMs: afterTimeout } : {}),
    ...(job.when === 'on_failure' || job.when === 'always' ? { when: job.when } : {}),
    ...(retry ? { retry } : {}),
  };
}

/** Everything but a config error: retrying cannot fix a missing secret or a bad Dockerfile path. */
const RETRYABLE: FailureReason[] = ['exit_code', 'timeout', 'image_not_found', 'agent_lost', 'backend_error'];

const REASONS_OF: Record<RetryWhen, FailureReason[]> = {
  always: RETRYABLE,
  unknown_failure: RETRYABLE,
  script_failure: ['exit_code'],
  exit_code: ['exit_code'],
  timeout: ['timeout'],
  job_execution_timeout: ['timeout'],
  stuck_or_timeout_failure: ['timeout'],
  image_not_found: ['image_not_found'],
  agent_lost: ['agent_lost'],
  // A runner that vanished mid-job is a system failure too.
  runner_system_failure: ['backend_error', 'agent_lost'],
  backend_error: ['backend_error'],
};

/** GitLab's default for `retry: {}` is two retries. */
const DEFAULT_RETRY_MAX = 2;

export function compileRetry(retry: RetryConfig): PlanRetry | null {
  const max = typeof retry === 'number' ? retry : (retry.max ?? DEFAULT_RETRY_MAX);
  if (max <= 0) return null;
  if (typeof retry === 'number') return { max, reasons: [...RETRYABLE], exitCodes: [] };
  const exitCodes = retry.exit_codes === undefined ? [] : list(retry.exit_codes);
  // `exit_codes` alone means "retry these exit codes", not "retry everything".
  const when =
    retry.when === undefined
      ? exitCodes.length > 0
        ? ['exit_code' as const]
        : ['always' as const]
      : list(retry.when);
  const reasons = RETRYABLE.filter((reason) => when.some((w) => REASONS_OF[w].includes(reason)));
  return { max, reasons, exitCodes };
}

function list<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function lines(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : list(value);
}

/**
 * `workflow:` — whether this event gets a run at all. Null when it does; else why not (code
 * `workflow`): the server then makes no record and says so in the delivery's entry.
 */
export function workflowSkip(workflow: PipelineConfig['workflow'], event: PipelineEvent): SkipReason | null {
  if (!workflow) return null;
  if (workflow.when === 'never') {
    return { code: 'workflow', message: 'workflow: when: never', params: { cause: 'when_never' } };
  }
  const verdict = evaluateFilters(workflow.only, workflow.except, event);
  if (!verdict.matches) {
    return { code: 'workflow', message: `workflow: ${verdict.why}`, params: { cause: 'filtered' } };
  }
  const changes = changesSkip(workflow.changes, event);
  return changes
    ? {
        code: 'workflow',
        message: `workflow: ${changes.message}`,
        params: { cause: 'changes', ...changes.params },
      }
    : null;
}
