/**
 * The runtime's own lines about why a job could not start or how it ended: coded (see
 * domain/system-line-codes.ts) so the web UI says them in the reader's language, with the
 * English text Slipway has always written beside the code (raw log, CLI, older UIs).
 */
import type { ResourceWarning } from '../domain/job-resources.js';
import type { Failure } from '../domain/reason-codes.js';
import { secretValueProblem } from '../domain/secret-value.js';
import { type SystemLineSink, writeSystemLine } from '../domain/system-line-codes.js';
import type { PlanJob } from '../pipeline/plan/plan.js';

/** Writes the line for secrets the job names but the run does not have; returns the failure's message. */
export function writeMissingSecrets(sink: SystemLineSink, job: string, missing: string[]): string {
  const many = missing.length > 1;
  const names = missing.join(', ');
  const message = `secret${many ? 's' : ''} ${names} not set (job "${job}" names ${many ? 'them' : 'it'} in secrets:)`;
  writeSystemLine(sink, 'secrets.missing', { names, job, count: missing.length }, `[slipway] ${message}`);
  return message;
}

/** A stored secret value Slipway refuses to hand to a job; `detail` says why (English). */
export interface RefusedSecret {
  name: string;
  job: string;
  detail: string;
  message: string;
}

/** Why a secret the job names cannot be handed to it (naming the secret only), or null. */
export function refusedSecrets(job: PlanJob, secrets: Record<string, string>): RefusedSecret | null {
  for (const name of new Set([...job.secrets, ...(job.build?.secrets ?? [])])) {
    const value = secrets[name];
    const detail = value === undefined ? null : secretValueProblem(value);
    if (detail !== null)
      return {
        name,
        job: job.name,
        detail,
        message: `secret ${name} ${detail} (job "${job.name}" names it)`,
      };
  }
  return null;
}

export function writeRefusedSecret(sink: SystemLineSink, refused: RefusedSecret): void {
  const { name, job, detail } = refused;
  writeSystemLine(sink, 'secrets.refused', { name, job, detail }, `[slipway] ${refused.message}`);
}

/** A build of an untrusted run (a fork pull request): its image stays on the build engine. */
export function writeNotPushed(sink: SystemLineSink, repository: string, text: string): void {
  writeSystemLine(sink, 'image.not_pushed_untrusted', { repository }, text);
}

export function writeResourceWarnings(sink: SystemLineSink, warnings: ResourceWarning[]): void {
  for (const { what, asked, max, text } of warnings)
    writeSystemLine(sink, 'resources.limited', { what, asked, max }, `[slipway] ${text}`);
}

/**
 * The job's last line: its failure. `reason` and `message` (already masked) plus the failure's
 * own params (an exit code, a timeout in seconds, an image), lists joined, so the UI can reuse
 * its failure sentences.
 */
export function writeFailureLine(sink: SystemLineSink, failure: Failure): void {
  const flat: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(failure.params ?? {}))
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  writeSystemLine(
    sink,
    'job.failed',
    { ...flat, reason: failure.reason, message: failure.message },
    `[slipway] ${failure.message}`,
  );
}
