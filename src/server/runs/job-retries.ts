import { z } from 'zod';
import { type JobRetryJson, jobRetryJsonSchema } from '../../api/runs.js';
import { type JobAttemptMessage, jobAttemptSchema } from '../../protocol/agent-protocol.js';

/**
 * A job's earlier attempts, as stored in `jobs.retries` (migration 015) and shown by the API.
 * Two kinds end up here:
 *   - attempts the agent retried itself (`retry:` after an exit code, a timeout…), reported with
 *     every job update of the execution (`attempts`), replaced as a whole each time;
 *   - attempts that ended because their agent was lost and the run was re-queued (`lost`),
 *     recorded by the server, kept across executions.
 * Numbers are given here, in order, so the two kinds count as one sequence.
 */
const storedSchema = z.array(jobAttemptSchema.extend({ lost: z.boolean().optional() }));
export type StoredAttempt = z.infer<typeof storedSchema>[number];

export function parseRetries(text: string | null | undefined): StoredAttempt[] {
  if (!text) return [];
  const parsed = storedSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : [];
}

/** The stored list after an agent reported this execution's earlier attempts. */
export function withReportedAttempts(
  stored: string | null | undefined,
  reported: readonly JobAttemptMessage[],
): string {
  return serialize([...parseRetries(stored).filter((a) => a.lost), ...reported]);
}

/** The stored list after the job's agent was lost while it ran. */
export function withLostAttempt(
  stored: string | null | undefined,
  attempt: Omit<JobAttemptMessage, 'attempt'>,
): string {
  return serialize([...parseRetries(stored), { ...attempt, attempt: 0, lost: true }]);
}

function serialize(attempts: readonly StoredAttempt[]): string {
  return JSON.stringify(attempts.map((a, i) => ({ ...a, attempt: i + 1 })));
}

/** The API's view (src/api/runs.ts): every earlier attempt, numbered from 1. */
export { jobRetryJsonSchema };

export function retriesJson(stored: string | null | undefined): JobRetryJson[] {
  return parseRetries(stored).map(({ lost: _lost, ...attempt }) => attempt);
}
