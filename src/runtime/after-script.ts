import type { JobOutput, JobSpec } from '../backends/backend.js';
import { formatDuration } from '../domain/duration.js';
import { writeSystemLine } from '../domain/system-line-codes.js';
import type { PlanJob } from '../pipeline/plan/plan.js';
import { DEFAULT_AFTER_SCRIPT_TIMEOUT_MS } from '../pipeline/plan/plan-flow.js';
import { buildJobScript } from './job-script.js';
import type { JobContext, JobEnd } from './run-job.js';

/**
 * `after_script`: runs once the job's script ended — succeeded, failed or timed out — in a fresh
 * shell (a new container of the job's image, the same workspace and variables, without the
 * job's services), bounded by its own timeout. Its output goes to the job's log; how it ends is
 * reported in a line and never changes the job's result.
 *
 * Not after a cancel (as GitLab did for years): cancel means "stop now", and starting a new
 * container that uploads or notifies would contradict it; cleanup of containers, services and
 * the workspace happens anyway.
 */
export async function runAfterScript(
  job: PlanJob,
  ctx: JobContext,
  spec: JobSpec,
  end: JobEnd,
  output: JobOutput,
  cancel: AbortSignal,
): Promise<void> {
  const lines = job.afterScript ?? [];
  if (lines.length === 0 || end.status === 'canceled' || cancel.aborted) return;
  const limitMs = job.afterScriptTimeoutMs ?? DEFAULT_AFTER_SCRIPT_TIMEOUT_MS;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), limitMs);
  const signal = AbortSignal.any([cancel, timeout.signal]);
  writeSystemLine(output, 'after_script.start', {}, '[slipway] running after_script');
  try {
    // Caches belong to the job's own container: after_script neither restores nor saves them.
    const { caches: _caches, ...own } = spec;
    const outcome = await ctx.backend.runJob(
      {
        ...own,
        script: buildJobScript(lines),
        commands: lines,
        // What GitLab gives after_script: how the job's script ended.
        env: { ...spec.env, CI_JOB_STATUS: end.status === 'succeeded' ? 'success' : 'failed' },
        services: [],
      },
      output,
      signal,
    );
    const tail = "(after_script does not change the job's result)";
    switch (outcome.kind) {
      case 'exited':
        if (outcome.exitCode !== 0)
          writeSystemLine(
            output,
            'after_script.exit',
            { code: outcome.exitCode },
            `[slipway] after_script exited with code ${outcome.exitCode} ${tail}`,
          );
        break;
      case 'aborted':
        if (!cancel.aborted)
          writeSystemLine(
            output,
            'after_script.timeout',
            { ms: limitMs },
            `[slipway] after_script timed out after ${formatDuration(limitMs)} ${tail}`,
          );
        break;
      case 'image_not_found':
      case 'backend_error':
        {
          const detail = ctx.masker.maskText(outcome.message);
          writeSystemLine(
            output,
            'after_script.error',
            { detail },
            `[slipway] after_script could not run: ${detail} ${tail}`,
          );
        }
        break;
    }
  } catch (error) {
    const detail = ctx.masker.maskText(error instanceof Error ? error.message : String(error));
    writeSystemLine(
      output,
      'after_script.error',
      { detail },
      `[slipway] after_script could not run: ${detail}`,
    );
  } finally {
    clearTimeout(timer);
  }
}
